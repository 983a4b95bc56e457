//! Partial edits of the customer form as RFC 7396 JSON merge patches: [`merge`] applies one,
//! [`diff`] makes the one that turns a form into another (what a face sends when the user
//! saves), and [`patched_draft`] applies a patch to the form built from the saved card and
//! reads it back as a [`CustomerDraft`], naming the field of every malformed value.
//!
//! A patch names only what the user changed; everything else stays as saved. `null` clears a
//! field (an empty e-mail address, no birthday, no phones). Arrays (phones, groups) are
//! replaced as a whole, objects (the address) merged key by key.
//!
//! The merge is RFC 7396's own ten-line algorithm (section 2) over `serde_json::Value`: a
//! crate for it (`json-patch`) would bring JSON Pointer and RFC 6902 along for these ten lines.

use crate::i18n::{FieldErrors, Msg};
use crate::model::CustomerDraft;
use serde_json::{Map, Value};

/// Applies the merge patch `patch` to `target` (RFC 7396, section 2).
pub fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(changes) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(fields) = target {
        for (key, value) in changes {
            if value.is_null() {
                fields.remove(key);
            } else {
                merge(fields.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// The merge patch that turns `before` into `after`: changed keys only, objects recursively,
/// keys that are gone as `null`. `{}` when nothing changed.
pub fn diff(before: &Value, after: &Value) -> Value {
    match (before, after) {
        (Value::Object(old), Value::Object(new)) => {
            let mut patch = Map::new();
            for (key, value) in new {
                match old.get(key) {
                    Some(was) if was == value => {}
                    Some(was) if was.is_object() && value.is_object() => {
                        patch.insert(key.clone(), diff(was, value));
                    }
                    _ => {
                        patch.insert(key.clone(), value.clone());
                    }
                }
            }
            for key in old.keys() {
                if !new.contains_key(key) {
                    patch.insert(key.clone(), Value::Null);
                }
            }
            Value::Object(patch)
        }
        _ => after.clone(),
    }
}

/// The patch from one state of the customer form to another (what a face sends on save).
pub fn draft_diff(before: &CustomerDraft, after: &CustomerDraft) -> Value {
    diff(&draft_value(before), &draft_value(after))
}

/// Whether a patch changes nothing at all (`{}`).
pub fn is_empty(patch: &Value) -> bool {
    patch.as_object().is_some_and(Map::is_empty)
}

/// `base` with `patch` applied. Refused, naming the field, when the patch is not an object,
/// names a field the form does not have, or gives a field a value of the wrong kind.
pub fn patched_draft(base: &CustomerDraft, patch: &Value) -> Result<CustomerDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let Value::Object(changes) = patch else {
        errors.add("body", Msg::InvalidInput);
        return Err(errors);
    };
    let mut value = draft_value(base);
    check_keys(changes, &value, "", &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    merge(&mut value, patch);
    serde_path_to_error::deserialize::<_, CustomerDraft>(value).map_err(|e| {
        let mut errors = FieldErrors::default();
        errors.add(&field_name(e.path()), Msg::WrongKind);
        errors
    })
}

fn draft_value(draft: &CustomerDraft) -> Value {
    // A plain struct of strings, enums and vectors: serializing it cannot fail.
    serde_json::to_value(draft).unwrap_or(Value::Null)
}

/// Every key of `changes` must be one of `known`'s, recursively into objects (the address).
fn check_keys(changes: &Map<String, Value>, known: &Value, prefix: &str, errors: &mut FieldErrors) {
    for (key, value) in changes {
        let field = format!("{prefix}{key}");
        match known.get(key) {
            None => errors.add(&field, Msg::UnknownField),
            Some(Value::Object(_)) => match value {
                Value::Object(inner) => {
                    check_keys(inner, &known[key], &format!("{field}."), errors)
                }
                Value::Null => {}
                _ => errors.add(&field, Msg::WrongKind),
            },
            Some(_) if key == "phones" => check_phones(value, &field, errors),
            Some(_) => {}
        }
    }
}

/// Phones are `[{label, number}, …]`.
fn check_phones(value: &Value, field: &str, errors: &mut FieldErrors) {
    let Value::Array(items) = value else {
        if !value.is_null() {
            errors.add(field, Msg::WrongKind);
        }
        return;
    };
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::Object(keys) => {
                for key in keys.keys() {
                    if key != "label" && key != "number" {
                        errors.add(&format!("{field}.{i}.{key}"), Msg::UnknownField);
                    }
                }
            }
            _ => errors.add(&format!("{field}.{i}"), Msg::WrongKind),
        }
    }
}

/// `phones.1.label` from serde's path of the value it could not read.
fn field_name(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let parts: Vec<String> = path
        .iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.clone()),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect();
    if parts.is_empty() {
        "body".to_string()
    } else {
        parts.join(".")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The examples of RFC 7396, appendix A.
    #[test]
    fn merge_follows_the_rfc_examples() {
        let check = |target: Value, patch: Value, expected: Value| {
            let mut t = target.clone();
            merge(&mut t, &patch);
            assert_eq!(t, expected, "{target} + {patch}");
        };
        check(json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"}));
        check(json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"}));
        check(json!({"a":"b"}), json!({"a":null}), json!({}));
        check(
            json!({"a":"b","b":"c"}),
            json!({"a":null}),
            json!({"b":"c"}),
        );
        check(json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"}));
        check(json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]}));
        check(
            json!({"a":{"b":"c"}}),
            json!({"a":{"b":"d","c":null}}),
            json!({"a":{"b":"d"}}),
        );
        check(json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]}));
        check(json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"]));
        check(json!({"a":"b"}), json!(["c"]), json!(["c"]));
        check(json!({"a":"foo"}), json!(null), json!(null));
        check(json!({"a":"foo"}), json!("bar"), json!("bar"));
        check(json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1}));
        check(json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"}));
        check(
            json!({}),
            json!({"a":{"bb":{"ccc":null}}}),
            json!({"a":{"bb":{}}}),
        );
    }

    #[test]
    fn diff_then_merge_gives_the_new_form() {
        let before = json!({"a": "x", "b": {"c": 1, "d": 2}, "e": [1, 2], "f": true});
        let after = json!({"a": "x", "b": {"c": 1, "d": 3}, "e": [1], "g": "new"});
        let patch = diff(&before, &after);
        assert_eq!(
            patch,
            json!({"b": {"d": 3}, "e": [1], "f": null, "g": "new"})
        );
        let mut merged = before.clone();
        merge(&mut merged, &patch);
        assert_eq!(merged, after);
        assert!(is_empty(&diff(&after, &after)));
    }

    #[test]
    fn malformed_patches_name_the_field() {
        let base = CustomerDraft::default();
        let field_of = |patch: Value| {
            let errors = patched_draft(&base, &patch).unwrap_err();
            errors
                .fields()
                .map(|(f, _)| f.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(field_of(json!({"nickname": "x"})), ["nickname"]);
        assert_eq!(
            field_of(json!({"address": {"planet": "x"}})),
            ["address.planet"]
        );
        assert_eq!(field_of(json!({"address": "Hauptstr. 1"})), ["address"]);
        assert_eq!(field_of(json!({"email": 5})), ["email"]);
        assert_eq!(
            field_of(json!({"phones": [{"label": "fax", "number": "1"}]})),
            ["phones.0.label"]
        );
        assert_eq!(
            field_of(json!({"phones": [{"display": "1"}]})),
            ["phones.0.display"]
        );
        assert_eq!(field_of(json!({"groups": "VIP"})), ["groups"]);
        assert_eq!(field_of(json!({"salutation": "Dr"})), ["salutation"]);
        assert_eq!(field_of(json!([1])), ["body"]);
        let cleared = patched_draft(
            &CustomerDraft {
                email: "a@b.de".into(),
                ..Default::default()
            },
            &json!({"email": null}),
        )
        .unwrap();
        assert_eq!(cleared.email, "");
    }
}
