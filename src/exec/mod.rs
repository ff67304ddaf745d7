//! Physical execution of a plan over column chunks: rayon over chunks, selection masks,
//! mergeable accumulators merged in chunk order. Lands with the evaluator issue; it will
//! never see YAML.
