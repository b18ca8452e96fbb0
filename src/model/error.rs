//! Model-file problems: each names where (file, and tensor or field), what was expected and
//! what was found. Loading collects all of them and reports them together.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file the problem is in.
    pub file: PathBuf,
    /// The tensor or manifest field, e.g. "tensor `frozen.stem.shift`" or "field `heads[1].groups`".
    pub item: String,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.item.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}: {}: {}",
                self.file.display(),
                self.item,
                self.message
            )
        }
    }
}

/// Every problem found in a model file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ModelError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "invalid model ({n} problem{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// Collects problems for one file.
#[derive(Debug)]
pub struct Problems {
    file: PathBuf,
    pub list: Vec<Problem>,
}

impl Problems {
    pub fn new(file: &Path) -> Problems {
        Problems {
            file: file.to_path_buf(),
            list: Vec::new(),
        }
    }

    /// A problem with a manifest field.
    pub fn field(&mut self, field: impl fmt::Display, message: impl Into<String>) {
        self.push(format!("field `{field}`"), message);
    }

    /// A problem with a tensor.
    pub fn tensor(&mut self, name: impl fmt::Display, message: impl Into<String>) {
        self.push(format!("tensor `{name}`"), message);
    }

    /// A problem with the file as a whole.
    pub fn file(&mut self, message: impl Into<String>) {
        self.push(String::new(), message);
    }

    fn push(&mut self, item: String, message: impl Into<String>) {
        self.list.push(Problem {
            file: self.file.clone(),
            item,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Ok when nothing was found, else every problem as one error.
    pub fn into_result(self) -> Result<(), ModelError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(ModelError {
                problems: self.list,
            })
        }
    }
}
