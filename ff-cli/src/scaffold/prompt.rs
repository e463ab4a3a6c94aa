//! The interactive mode: asks for fields one at a time on any reader and writer (the terminal,
//! or answers piped on standard input). An empty field name, or the end of the input, finishes.
//! A wrong answer is explained and asked again.

use std::io::{self, BufRead, Write};

use super::field::{Field, Key, Relation, parse_field, parse_relation};
use super::names::{check_field_name, pascal_case};
use super::types::{listing, lookup};

/// The answers that make a relation instead of a column.
const RELATION: &[&str] = &["relation", "belongs_to", "many_to_one", "ManyToOne"];

/// A field asked for: a column, or a relation to resolve against the project's entities.
#[derive(Debug)]
pub enum Asked {
    /// A column.
    Field(Field),
    /// A foreign key, the `field=` option set to its name.
    Relation(Relation),
}

/// Questions on `input`, prompts and explanations on `output`.
pub struct Prompt<R, W> {
    input: R,
    output: W,
}

impl<R: BufRead, W: Write> Prompt<R, W> {
    /// A prompt reading answers from `input`.
    pub fn new(input: R, output: W) -> Self {
        Prompt { input, output }
    }

    /// Asks `question`; the trimmed answer, `default` for an empty one, `None` at the end of
    /// the input.
    fn ask(&mut self, question: &str, default: Option<&str>) -> io::Result<Option<String>> {
        match default {
            Some(default) => write!(self.output, "{question} [{default}]: ")?,
            None => write!(self.output, "{question}: ")?,
        }
        self.output.flush()?;
        let mut line = String::new();
        if self.input.read_line(&mut line)? == 0 {
            writeln!(self.output)?;
            return Ok(None);
        }
        let answer = line.trim();
        Ok(Some(match (answer, default) {
            ("", Some(default)) => default.to_owned(),
            _ => answer.to_owned(),
        }))
    }

    /// Asks a yes/no question until answered; `None` at the end of the input.
    fn confirm(&mut self, question: &str) -> io::Result<Option<bool>> {
        loop {
            let Some(answer) = self.ask(&format!("{question} (yes/no)"), Some("no"))? else {
                return Ok(None);
            };
            match answer.to_lowercase().as_str() {
                "y" | "yes" => return Ok(Some(true)),
                "n" | "no" => return Ok(Some(false)),
                _ => writeln!(self.output, "  Please answer yes or no.")?,
            }
        }
    }

    /// Asks until `check` accepts the answer; `None` at the end of the input.
    fn ask_valid<T>(
        &mut self,
        question: &str,
        default: Option<&str>,
        mut check: impl FnMut(&str) -> Result<T, String>,
    ) -> io::Result<Option<T>> {
        loop {
            let Some(answer) = self.ask(question, default)? else {
                return Ok(None);
            };
            match check(&answer) {
                Ok(value) => return Ok(Some(value)),
                Err(error) => writeln!(self.output, "  error: {error}")?,
            }
        }
    }

    /// Asks for fields of the entity whose module is `module` until an empty name. `taken`
    /// are the field names it has; `keys` the keys of the entities a relation may refer to.
    pub fn fields(
        &mut self,
        module: &str,
        taken: &[String],
        keys: &[Key],
    ) -> io::Result<Vec<Asked>> {
        let mut taken = taken.to_vec();
        let mut asked = Vec::new();
        loop {
            let question = if asked.is_empty() {
                "New field name (press <return> to stop adding fields)"
            } else {
                "Add another field? Enter the field name (or press <return> to stop adding fields)"
            };
            let name = self.ask_valid(question, None, |name| {
                if !name.is_empty() {
                    check_field_name(name, module)?;
                    if taken.iter().any(|t| t == name) {
                        return Err(format!("the entity already has a field `{name}`"));
                    }
                }
                Ok(name.to_owned())
            })?;
            let Some(name) = name.filter(|name| !name.is_empty()) else {
                return Ok(asked);
            };
            let Some(field) = self.field(&name, module, keys)? else {
                return Ok(asked);
            };
            let added = match &field {
                Asked::Field(field) => field.name.clone(),
                Asked::Relation(relation) => relation.options.field.clone().unwrap_or_default(),
            };
            if taken.contains(&added) {
                writeln!(
                    self.output,
                    "  error: the entity already has a field `{added}`; the relation was not added"
                )?;
                continue;
            }
            taken.push(added);
            asked.push(field);
        }
    }

    /// The questions about one field, `name`.
    fn field(&mut self, name: &str, module: &str, keys: &[Key]) -> io::Result<Option<Asked>> {
        let question = "Field type (enter ? to see all types)";
        let ty = loop {
            let Some(ty) = self.ask(question, Some("string"))? else {
                return Ok(None);
            };
            if ty == "?" {
                write!(self.output, "{}", listing())?;
                writeln!(
                    self.output,
                    "  {:<12} a many-to-one relation to another entity (belongs_to)",
                    "relation"
                )?;
            } else if RELATION.iter().any(|r| r.eq_ignore_ascii_case(&ty)) {
                return self.relation(name, module, keys);
            } else {
                match lookup(&ty) {
                    Ok(found) => break found.0,
                    Err(error) => writeln!(self.output, "  error: {error}")?,
                }
            }
        };
        let mut options = Vec::new();
        if ty.name() == "string" {
            let length = self.ask_valid("Field length", Some("255"), |answer| {
                answer
                    .parse::<u32>()
                    .ok()
                    .filter(|length| *length > 0)
                    .ok_or_else(|| format!("`{answer}` is not a length: a whole number above 0 (the type text has none)"))
            })?;
            let Some(length) = length else {
                return Ok(None);
            };
            options.push(format!("length={length}"));
        }
        if ty.is_decimal() {
            for (what, default) in [("precision", "10"), ("scale", "2")] {
                let value = self.ask_valid(&format!("Field {what}"), Some(default), |answer| {
                    answer
                        .parse::<u32>()
                        .map_err(|_| format!("`{answer}` is not a whole number"))
                })?;
                let Some(value) = value else { return Ok(None) };
                options.push(format!("{what}={value}"));
            }
        }
        let Some(flags) = self.flags()? else {
            return Ok(None);
        };
        options.extend(flags);
        let spec = format!("{name}:{}:{}", ty.name(), options.join(","));
        match parse_field(&spec, module) {
            Ok(field) => Ok(Some(Asked::Field(field))),
            Err(error) => {
                writeln!(self.output, "  error: {error}")?;
                self.field(name, module, keys)
            }
        }
    }

    /// Nullable, unique, index.
    fn flags(&mut self) -> io::Result<Option<Vec<String>>> {
        let mut flags = Vec::new();
        let Some(nullable) = self.confirm("Can this field be null in the database (nullable)")?
        else {
            return Ok(None);
        };
        if nullable {
            flags.push("nullable".to_owned());
        }
        let Some(unique) = self.confirm("Must each value be unique (unique)")? else {
            return Ok(None);
        };
        if unique {
            flags.push("unique".to_owned());
        } else {
            let Some(index) = self.confirm("Index this field for faster searches (index)")? else {
                return Ok(None);
            };
            if index {
                flags.push("index".to_owned());
            }
        }
        Ok(Some(flags))
    }

    /// The questions about a relation named `name`.
    fn relation(&mut self, name: &str, module: &str, keys: &[Key]) -> io::Result<Option<Asked>> {
        let names: Vec<&str> = keys.iter().map(|key| key.entity.as_str()).collect();
        let question = format!("Which entity does it belong to? ({})", names.join(", "));
        let key = self.ask_valid(&question, None, |answer| {
            let wanted = pascal_case(answer);
            keys.iter()
                .find(|key| key.entity == wanted)
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "no entity `{answer}`; the entities are: {}",
                        names.join(", ")
                    )
                })
        })?;
        let Some(key) = key else { return Ok(None) };
        let suffix = format!("_{}", key.name);
        let field = if name.ends_with(&suffix) {
            name.to_owned()
        } else {
            format!("{name}{suffix}")
        };
        let Some(nullable) = self.confirm("Can it be empty (a nullable foreign key)")? else {
            return Ok(None);
        };
        let nullable = if nullable { ",nullable" } else { "" };
        let base = format!("{}:field={field}{nullable}", key.entity);
        let question = "When the referred row is deleted (no action, restrict, cascade, set null, set default)";
        let spec = self.ask_valid(question, Some("no action"), |answer| {
            let spec = format!("{base},on_delete={answer}");
            parse_relation(&spec).map(|_| spec)
        })?;
        let Some(spec) = spec else { return Ok(None) };
        let question = format!(
            "Name a relation on {} that loads these (e.g. {module}s), or press <return> for none",
            key.entity
        );
        let spec = self.ask_valid(&question, None, |answer| match answer {
            "" => parse_relation(&spec),
            inverse => parse_relation(&format!("{spec},inverse={inverse}")),
        })?;
        Ok(spec.map(Asked::Relation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(answers: &str, taken: &[&str]) -> (Vec<Asked>, String) {
        let keys = [Key {
            entity: "Category".to_owned(),
            name: "id".to_owned(),
            rust: "i32".to_owned(),
        }];
        let taken: Vec<String> = taken.iter().map(|t| t.to_string()).collect();
        let mut output = Vec::new();
        let asked = Prompt::new(answers.as_bytes(), &mut output)
            .fields("product", &taken, &keys)
            .unwrap();
        (asked, String::from_utf8(output).unwrap())
    }

    #[test]
    fn wrong_answers_are_explained_and_asked_again() {
        let (asked, output) = ask(
            "id\ntype\nprice\nmoney\ndecimal\n4\n2\nmaybe\nno\nno\nyes\n\n",
            &["id"],
        );
        assert!(output.contains("already has a field `id`"), "{output}");
        assert!(output.contains("`type` is a Rust keyword"), "{output}");
        assert!(output.contains("unknown field type `money`"), "{output}");
        assert!(output.contains("Please answer yes or no."), "{output}");
        let [Asked::Field(price)] = asked.as_slice() else {
            panic!("{asked:?}");
        };
        assert_eq!(
            price.render(""),
            "#[ff(precision = 4, scale = 2, index)]\npub price: bigdecimal::BigDecimal,\n"
        );
    }

    #[test]
    fn a_decimal_whose_scale_exceeds_its_precision_is_asked_again() {
        let (asked, output) = ask(
            "price\ndecimal\n2\n3\nno\nno\nno\ndecimal\n\n\nno\nno\nno\n",
            &[],
        );
        assert!(output.contains("cannot exceed the precision"), "{output}");
        let [Asked::Field(price)] = asked.as_slice() else {
            panic!("{asked:?}");
        };
        assert_eq!(price.options.precision, Some(10));
    }

    #[test]
    fn a_relation_whose_foreign_key_exists_is_not_added() {
        let (asked, output) = ask(
            "category\nrelation\nCategory\nno\n\n\nlabel\ntext\nno\nno\nno\n",
            &["category_id"],
        );
        assert!(
            output.contains("already has a field `category_id`; the relation was not added"),
            "{output}"
        );
        let [Asked::Field(label)] = asked.as_slice() else {
            panic!("{asked:?}");
        };
        assert_eq!(label.name, "label");
    }

    #[test]
    fn a_relation_becomes_a_foreign_key_and_the_end_of_input_finishes() {
        let (asked, _) = ask(
            "category\nrelation\ncategory\nyes\nset_null\ntype\nproducts\nname\n",
            &[],
        );
        let [Asked::Relation(relation)] = asked.as_slice() else {
            panic!("{asked:?}");
        };
        assert_eq!(relation.parent, "Category");
        assert_eq!(relation.options.field.as_deref(), Some("category_id"));
        assert_eq!(relation.options.on_delete.as_deref(), Some("set null"));
        assert!(relation.options.nullable);
        assert_eq!(relation.options.inverse.as_deref(), Some("products"));
    }
}
