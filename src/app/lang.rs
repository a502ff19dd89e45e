//! Application scan (side input to the rules, not a pipeline stage of its own): the host
//! languages we read, chosen by file extension, and their tree-sitter grammars.

use std::path::Path;

/// A host language whose string literals we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    TypeScript,
    Tsx,
    JavaScript,
    Python,
    Go,
    Rust,
    Java,
    Kotlin,
    Ruby,
    Php,
}

impl Language {
    /// Every language, in a fixed order.
    pub const ALL: [Self; 10] = [
        Self::TypeScript,
        Self::Tsx,
        Self::JavaScript,
        Self::Python,
        Self::Go,
        Self::Rust,
        Self::Java,
        Self::Kotlin,
        Self::Ruby,
        Self::Php,
    ];

    /// The language of `path`, from its extension (`None` for files we do not read).
    #[must_use]
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "ts" | "mts" | "cts" => Self::TypeScript,
            "tsx" => Self::Tsx,
            "js" | "jsx" | "mjs" | "cjs" => Self::JavaScript,
            "py" => Self::Python,
            "go" => Self::Go,
            "rs" => Self::Rust,
            "java" => Self::Java,
            "kt" | "kts" => Self::Kotlin,
            "rb" => Self::Ruby,
            "php" => Self::Php,
            _ => return None,
        })
    }

    /// A short lowercase name (`typescript`, `python`, ...).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::TypeScript => "typescript",
            Self::Tsx => "tsx",
            Self::JavaScript => "javascript",
            Self::Python => "python",
            Self::Go => "go",
            Self::Rust => "rust",
            Self::Java => "java",
            Self::Kotlin => "kotlin",
            Self::Ruby => "ruby",
            Self::Php => "php",
        }
    }

    /// True for the JavaScript family (TS, TSX, JS), which share endpoint conventions.
    #[must_use]
    pub fn is_js_family(self) -> bool {
        matches!(self, Self::TypeScript | Self::Tsx | Self::JavaScript)
    }

    /// The tree-sitter grammar.
    #[must_use]
    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Self::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Self::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            // The JavaScript grammar parses JSX too.
            Self::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Self::Python => tree_sitter_python::LANGUAGE.into(),
            Self::Go => tree_sitter_go::LANGUAGE.into(),
            Self::Rust => tree_sitter_rust::LANGUAGE.into(),
            Self::Java => tree_sitter_java::LANGUAGE.into(),
            Self::Kotlin => tree_sitter_kotlin_ng::LANGUAGE.into(),
            Self::Ruby => tree_sitter_ruby::LANGUAGE.into(),
            Self::Php => tree_sitter_php::LANGUAGE_PHP.into(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn extensions_map_to_languages() {
        assert_eq!(
            Language::from_path(Path::new("a/b.TS")),
            Some(Language::TypeScript)
        );
        assert_eq!(
            Language::from_path(Path::new("x.mjs")),
            Some(Language::JavaScript)
        );
        assert_eq!(
            Language::from_path(Path::new("x.kt")),
            Some(Language::Kotlin)
        );
        assert_eq!(Language::from_path(Path::new("x.sql")), None);
        assert_eq!(Language::from_path(Path::new("Makefile")), None);
    }

    #[test]
    fn every_grammar_loads() {
        for lang in Language::ALL {
            let mut parser = tree_sitter::Parser::new();
            assert!(
                parser.set_language(&lang.grammar()).is_ok(),
                "{}",
                lang.name()
            );
        }
    }

    /// Prints the tree of a snippet; run with `--ignored --nocapture` when adding a language.
    #[test]
    #[ignore = "exploration aid"]
    fn dump_trees() {
        let samples: &[(Language, &str)] = &[
            (
                Language::TypeScript,
                "const q = `SELECT * FROM ${t} WHERE a = ${b}`; const r = 'a\\n' + \"b\"; if (req.method === 'GET') {}",
            ),
            (
                Language::Python,
                "q = f\"SELECT {a} FROM x\" \"WHERE y\"\nr = r'raw'\n@app.get('/x')\ndef h():\n    return {'a': 1}\n",
            ),
            (
                Language::Go,
                "package m\nvar q = `SELECT * FROM x` + \"WHERE \\n y\"\nfunc main(){ http.HandleFunc(\"/x\", h) }\n",
            ),
            (
                Language::Rust,
                "const Q: &str = r#\"SELECT * FROM x\"#; const R: &str = \"a\\n\";",
            ),
            (
                Language::Java,
                "class A { String q = \"SELECT a \" + \"FROM x\"; String t = \"\"\"\n  SELECT 1\n  \"\"\"; }",
            ),
            (
                Language::Kotlin,
                "val q = \"SELECT * FROM $t WHERE a = ${b}\"\nval r = \"\"\"SELECT 1\"\"\"",
            ),
            (
                Language::Ruby,
                "q = \"SELECT * FROM #{t} WHERE a = 1\"\nr = 'x' 'y'\ns = <<~SQL\n  SELECT * FROM #{u}\nSQL\n",
            ),
            (
                Language::Php,
                "<?php $q = \"SELECT * FROM $t WHERE a = {$b}\"; $r = 'SELECT ' . 'FROM x'; $s = <<<SQL\nSELECT * FROM {$u}\nSQL;\n",
            ),
        ];
        for (lang, src) in samples {
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(&lang.grammar()).unwrap();
            let tree = parser.parse(src, None).unwrap();
            println!("== {}\n{}", lang.name(), dump(tree.root_node(), src, 0));
        }
    }

    fn dump(node: tree_sitter::Node<'_>, src: &str, depth: usize) -> String {
        let mut out = format!(
            "{}{}{} {:?}\n",
            "  ".repeat(depth),
            if node.is_named() { "" } else { "'" },
            node.kind(),
            &src[node.byte_range()].chars().take(40).collect::<String>()
        );
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            out.push_str(&dump(child, src, depth + 1));
        }
        out
    }
}
