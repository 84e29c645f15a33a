//! The answers to a service's questions (Open311 attributes): each checked against its
//! datatype and choices, required ones required, unknown ones refused naming the known ones.

use crate::catalogue::{Datatype, Service};
use crate::error::FieldErrors;
use crate::i18n::text;
use crate::lang::Lang;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Checks the answers to `service`'s questions (Open311 attributes) and returns them as JSON;
/// every problem goes into `errors` under `attribute[CODE]`.
pub fn check(
    service: &Service,
    given: &BTreeMap<String, Vec<String>>,
    lang: Lang,
    errors: &mut FieldErrors,
) -> serde_json::Value {
    let msg = |id: &str, args: &[(&str, String)]| text(lang, id, args);
    let mut out = serde_json::Map::new();
    for code in given.keys() {
        if !service.attributes.iter().any(|a| &a.code == code) {
            let known: Vec<&str> = service.attributes.iter().map(|a| a.code.as_str()).collect();
            errors.insert(
                format!("attribute[{code}]"),
                msg(
                    "err-attribute-unknown",
                    &[
                        ("service", service.code.clone()),
                        (
                            "known",
                            if known.is_empty() {
                                msg("err-none", &[])
                            } else {
                                known.join(", ")
                            },
                        ),
                    ],
                ),
            );
        }
    }
    for a in &service.attributes {
        let field = format!("attribute[{}]", a.code);
        let values: Vec<&str> = given
            .get(&a.code)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if values.is_empty() {
            if a.required {
                errors.insert(
                    field,
                    msg(
                        "err-attribute-required",
                        &[("question", a.description.get(lang).to_string())],
                    ),
                );
            }
            continue;
        }
        let keys = || {
            a.values
                .iter()
                .map(|v| v.key.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let bad_key = values
            .iter()
            .find(|v| !a.values.iter().any(|k| k.key == **v));
        let value = match a.datatype {
            Datatype::Number => match values[0].parse::<f64>() {
                Ok(n) if n.is_finite() => serde_json::json!(n),
                _ => {
                    errors.insert(
                        field,
                        msg(
                            "err-attribute-number",
                            &[("value", format!("{:?}", values[0]))],
                        ),
                    );
                    continue;
                }
            },
            Datatype::Datetime => match DateTime::parse_from_rfc3339(values[0]) {
                Ok(t) => serde_json::json!(t.with_timezone(&Utc).to_rfc3339()),
                Err(_) => {
                    errors.insert(
                        field,
                        msg(
                            "err-attribute-datetime",
                            &[("value", format!("{:?}", values[0]))],
                        ),
                    );
                    continue;
                }
            },
            Datatype::Singlevaluelist | Datatype::Multivaluelist if bad_key.is_some() => {
                errors.insert(
                    field,
                    msg(
                        "err-attribute-choice",
                        &[
                            ("value", format!("{:?}", bad_key.unwrap_or(&""))),
                            ("keys", keys()),
                        ],
                    ),
                );
                continue;
            }
            Datatype::Singlevaluelist if values.len() > 1 => {
                errors.insert(field, msg("err-attribute-one", &[("keys", keys())]));
                continue;
            }
            Datatype::Multivaluelist => serde_json::json!(values),
            Datatype::String | Datatype::Text | Datatype::Singlevaluelist => {
                let v: String = values[0].chars().take(1000).collect();
                serde_json::json!(v)
            }
        };
        out.insert(a.code.clone(), value);
    }
    serde_json::Value::Object(out)
}
