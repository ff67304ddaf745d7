//! JSON Schema (draft 2020-12) of the spec format, generated from the key tables in
//! [`super::keys`], for editor completion and validation (`searchlight schema`).

use super::keys::{Key, Kind, ROOT};
use crate::toy::GENERATORS;
use serde_json::{Map, Value, json};

/// The JSON Schema of a spec file.
pub fn json_schema() -> Value {
    let mut root = object(ROOT, None);
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    root["$id"] = json!("https://searchlight.invalid/schema/spec-v1.json");
    root["title"] = json!("searchlight analysis spec, version 1");
    let toys: Vec<&str> = GENERATORS.iter().map(|g| g.name).collect();
    root["properties"]["inputs"]["additionalProperties"]["properties"]["toy"]["enum"] = json!(toys);
    root
}

fn object(keys: &[Key], extra: Option<&Kind>) -> Value {
    let mut properties = Map::new();
    for k in keys {
        let mut v = kind(&k.kind);
        v["description"] = json!(k.doc);
        properties.insert(k.name.to_string(), v);
    }
    let required: Vec<&str> = keys.iter().filter(|k| k.required).map(|k| k.name).collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": extra.map_or(json!(false), kind),
    })
}

const NUMBER_OR_TEXT: &str = "a number, or text such as `20 MeV` or `m_Bp - m_Kp`";

fn kind(k: &Kind) -> Value {
    match k {
        Kind::Str => json!({"type": "string"}),
        Kind::Count => json!({"type": ["integer", "number"], "minimum": 0}),
        Kind::Quantity => json!({"type": ["number", "string"], "$comment": NUMBER_OR_TEXT}),
        Kind::Bool => json!({"type": "boolean"}),
        Kind::Expr => {
            json!({"type": ["string", "number", "boolean"], "$comment": "an expression: docs/spec.md#expressions"})
        }
        Kind::Width => {
            json!({"type": ["number", "string"], "$comment": "`N sigma` or an absolute width"})
        }
        Kind::Enum(words) => json!({"enum": words}),
        Kind::Interval => json!({"type": "array", "minItems": 2, "maxItems": 2,
                                 "items": {"type": ["number", "string"]}}),
        Kind::List(inner) => json!({"type": "array", "items": kind(inner)}),
        Kind::Object(keys) => object(keys, None),
        Kind::Open(keys, extra) => object(keys, Some(extra)),
        Kind::Dict(inner) => json!({"type": "object", "additionalProperties": kind(inner)}),
        Kind::OneOf(kinds) => json!({"anyOf": kinds.iter().map(kind).collect::<Vec<_>>()}),
    }
}
