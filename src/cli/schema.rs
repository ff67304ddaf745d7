//! `searchlight schema`.

use super::Status;

/// Arguments of `schema`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Prints the JSON Schema.
pub fn run(_args: &Args) -> Status {
    let schema = crate::spec::schema::json_schema();
    println!(
        "{}",
        serde_json::to_string_pretty(&schema).expect("schema serialises")
    );
    Status::Ok
}
