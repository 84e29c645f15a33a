//! Open311 XML: the same tree as the JSON answer, with arrays as a wrapper element holding one
//! singular-named element per item (`<services><service>…</service></services>`), a UTF-8
//! declaration, and characters XML 1.0 forbids removed.

use quick_xml::escape::escape;
use serde_json::Value;

/// The element name for one item of an array called `plural`.
fn singular(plural: &str) -> &str {
    match plural {
        "services" => "service",
        "service_requests" => "request",
        "attributes" => "attribute",
        "values" => "value",
        "endpoints" => "endpoint",
        "formats" => "format",
        "errors" => "error",
        "service_request_updates" => "request_update",
        other => other.strip_suffix('s').unwrap_or("item"),
    }
}

fn xml_safe(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
        })
        .collect()
}

fn write(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Null => {
            out.push('<');
            out.push_str(name);
            out.push_str("/>");
        }
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in map {
                write(out, k, v);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Array(items) => {
            out.push_str(&format!("<{name}>"));
            let item = singular(name);
            for v in items {
                write(out, item, v);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => out.push_str(&format!(
            "<{name}>{}</{name}>",
            escape(xml_safe(s).as_str())
        )),
        Value::Bool(b) => out.push_str(&format!("<{name}>{b}</{name}>")),
        Value::Number(n) => out.push_str(&format!("<{name}>{n}</{name}>")),
    }
}

/// Renders `value` as an XML document whose root element is `root`.
pub fn to_xml(root: &str, value: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    write(&mut out, root, value);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_become_wrapped_singular_elements_and_text_is_escaped() {
        let v = serde_json::json!([{"service_code": "a&b", "metadata": true, "address": null}]);
        let x = to_xml("services", &v);
        assert!(x.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
        assert!(x.contains("<services><service><address/><metadata>true</metadata><service_code>a&amp;b</service_code></service></services>"), "{x}");
    }

    #[test]
    fn control_characters_that_xml_forbids_are_dropped() {
        let x = to_xml("d", &serde_json::json!("a\u{1}b"));
        assert!(x.contains("<d>ab</d>"));
    }
}
