//! SQLite table rebuilds: an `ALTER TABLE` that SQLite cannot run natively → the documented
//! copy-and-swap procedure (sqlite.org, lang_altertable.html, "Making Other Kinds Of Table
//! Schema Changes"), keeping rows, rowids, indexes, triggers, views, foreign keys and the
//! AUTOINCREMENT counter.
//!
//! Planning reads the table's definition from the live database (`sqlite_master`), never a
//! guess. The definition is read token by token, not re-rendered by a parser, so whatever is
//! not changed (type names, defaults, collations, conflict clauses, `STRICT`, `WITHOUT
//! ROWID`) is written back exactly as SQLite has it. The rows are checked against what the
//! change means on PostgreSQL (SET NOT NULL over NULLs, a UNIQUE the data violates, ...)
//! before anything is written. The caller runs the returned statements inside the
//! migration's transaction, with foreign keys off around that transaction and `PRAGMA
//! foreign_key_check` on [`RebuildPlan::check_tables`] before its commit. The statements
//! depend on the schema only, never on the rows, so a dry run rehearsed on an empty copy of
//! the schema prints exactly what a real run sends.

use std::collections::HashSet;

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, ColumnOptionDef, CreateTable, Expr, Ident, ObjectName,
    Statement, TableConstraint, Value as SqlValue,
};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

use crate::driver::{Driver, Value};

/// One ALTER TABLE (or several consecutive ones on the same table) to carry out on SQLite.
#[derive(Debug, Clone, PartialEq)]
pub struct RebuildSpec {
    /// The table, as named in the statement.
    pub table: String,
    /// The operations, in order, in SQLite form (types and defaults already translated).
    pub operations: Vec<AlterTableOperation>,
}

/// What to run for a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildPlan {
    /// The statements, in order.
    pub statements: Vec<String>,
    /// Whether this is a copy-and-swap (and so needs foreign keys off and a check after).
    pub rebuilt: bool,
    /// Tables whose foreign keys must be checked afterwards: only those whose references the
    /// change can have broken (a new foreign key, a key column whose type changed).
    pub check_tables: Vec<String>,
}

fn q(name: &str) -> String {
    crate::dialect::Dialect::Sqlite.quote_ident(name)
}

/// A SQL string literal.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

// ---------------------------------------------------------------------------------------
// Tokens: SQLite's lexical rules, enough to take a schema statement apart without losing a
// character of it.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tk {
    Space,
    Comment,
    /// A bare word: keyword or identifier.
    Word,
    /// `"x"`, `` `x` `` or `[x]`.
    Quoted,
    /// `'x'` or a blob `x'00'`.
    Str,
    Num,
    Punct,
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: Tk,
    start: usize,
    end: usize,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The end of a quoted token starting at `i`, where a doubled quote is an escaped one.
fn skip_quoted(b: &[u8], mut i: usize, quote: u8) -> usize {
    i += 1;
    while i < b.len() {
        if b[i] == quote {
            if b.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

fn tokenize(sql: &str) -> Vec<Tok> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        let kind = if c.is_ascii_whitespace() {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            Tk::Space
        } else if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            Tk::Comment
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i = sql[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
            Tk::Comment
        } else if c == b'\'' || (matches!(c, b'x' | b'X') && b.get(i + 1) == Some(&b'\'')) {
            i = skip_quoted(b, if c == b'\'' { i } else { i + 1 }, b'\'');
            Tk::Str
        } else if c == b'"' || c == b'`' {
            i = skip_quoted(b, i, c);
            Tk::Quoted
        } else if c == b'[' {
            i = sql[i..].find(']').map_or(b.len(), |p| i + p + 1);
            Tk::Quoted
        } else if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let hex = c == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X'));
            i += 1;
            while i < b.len() {
                let d = b[i];
                let sign = matches!(d, b'+' | b'-') && !hex && matches!(b[i - 1], b'e' | b'E');
                if d.is_ascii_alphanumeric() || d == b'.' || d == b'_' || sign {
                    i += 1;
                } else {
                    break;
                }
            }
            Tk::Num
        } else if is_ident_start(c) {
            while i < b.len() && is_ident_char(b[i]) {
                i += 1;
            }
            Tk::Word
        } else {
            i += 1;
            Tk::Punct
        };
        out.push(Tok { kind, start, end: i });
    }
    out
}

/// An identifier's value: quotes removed, doubled quotes undone.
fn unquote(text: &str) -> String {
    let (close, doubled) = match text.as_bytes().first() {
        Some(b'"') => ('"', "\"\""),
        Some(b'`') => ('`', "``"),
        Some(b'\'') => ('\'', "''"),
        Some(b'[') => (']', ""),
        _ => return text.to_string(),
    };
    let inner = text[1..].strip_suffix(close).unwrap_or(&text[1..]);
    if doubled.is_empty() {
        inner.to_string()
    } else {
        inner.replace(doubled, &doubled[..1])
    }
}

/// SQL on one line: comments dropped, a run of blanks holding a line break (or a comment)
/// becomes one space, everything else as written.
fn one_line(sql: &str) -> String {
    let toks = tokenize(sql);
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        if matches!(t.kind, Tk::Space | Tk::Comment) {
            let mut j = i;
            while j < toks.len() && matches!(toks[j].kind, Tk::Space | Tk::Comment) {
                j += 1;
            }
            if i > 0 && j < toks.len() {
                let run = &sql[t.start..toks[j - 1].end];
                if j == i + 1 && t.kind == Tk::Space && !run.contains(['\n', '\r']) {
                    out.push_str(run);
                } else {
                    out.push(' ');
                }
            }
            i = j;
        } else {
            out.push_str(&sql[t.start..t.end]);
            i += 1;
        }
    }
    out
}

/// Words that can appear in an expression without naming a column.
const EXPR_KEYWORDS: &[&str] = &[
    "AND",
    "OR",
    "NOT",
    "NULL",
    "IS",
    "IN",
    "LIKE",
    "GLOB",
    "REGEXP",
    "MATCH",
    "BETWEEN",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "CAST",
    "AS",
    "COLLATE",
    "ESCAPE",
    "EXISTS",
    "SELECT",
    "FROM",
    "WHERE",
    "DISTINCT",
    "TRUE",
    "FALSE",
    "CURRENT_TIME",
    "CURRENT_DATE",
    "CURRENT_TIMESTAMP",
    "ASC",
    "DESC",
    "ISNULL",
    "NOTNULL",
];

/// The significant tokens (no blanks, no comments) of one statement.
struct Sig<'a> {
    sql: &'a str,
    t: Vec<Tok>,
}

impl<'a> Sig<'a> {
    fn new(sql: &'a str) -> Self {
        Sig { sql, t: tokenize(sql).into_iter().filter(|t| !matches!(t.kind, Tk::Space | Tk::Comment)).collect() }
    }

    fn len(&self) -> usize {
        self.t.len()
    }

    fn text(&self, i: usize) -> &'a str {
        self.t.get(i).map_or("", |t| &self.sql[t.start..t.end])
    }

    fn kind(&self, i: usize) -> Option<Tk> {
        self.t.get(i).map(|t| t.kind)
    }

    fn kw(&self, i: usize, word: &str) -> bool {
        self.kind(i) == Some(Tk::Word) && eq(self.text(i), word)
    }

    fn punct(&self, i: usize, c: &str) -> bool {
        self.kind(i) == Some(Tk::Punct) && self.text(i) == c
    }

    /// The index of the `)` closing the `(` at `open` (or the end).
    fn close(&self, open: usize) -> usize {
        let mut depth = 0usize;
        for i in open..self.len() {
            if self.punct(i, "(") {
                depth += 1;
            } else if self.punct(i, ")") {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
        }
        self.len()
    }

    /// Past a balanced group when `i` opens one, else past one token.
    fn skip(&self, i: usize) -> usize {
        if self.punct(i, "(") {
            (self.close(i) + 1).min(self.len())
        } else {
            i + 1
        }
    }

    /// The tokens `[a, b)` as text, on one line.
    fn span(&self, a: usize, b: usize) -> String {
        if a >= b || a >= self.len() {
            return String::new();
        }
        let end = self.t[b.min(self.len()) - 1].end;
        one_line(&self.sql[self.t[a].start..end])
    }

    /// `[a, b)` split at commas outside parentheses.
    fn split(&self, a: usize, b: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = a;
        let mut i = a;
        while i < b {
            if self.punct(i, ",") {
                out.push((start, i));
                start = i + 1;
                i += 1;
            } else {
                i = self.skip(i).min(b);
            }
        }
        if start < b {
            out.push((start, b));
        }
        out
    }

    /// The column names an expression in `[a, b)` may use, lowercased: identifiers that are
    /// not keywords, function names, collation names or aliases.
    fn idents(&self, a: usize, b: usize) -> Vec<String> {
        let mut out = Vec::new();
        for i in a..b.min(self.len()) {
            let after = |w: &str| i > a && self.kw(i - 1, w);
            match self.kind(i) {
                Some(Tk::Quoted) if !after("COLLATE") => out.push(unquote(self.text(i)).to_lowercase()),
                Some(Tk::Word)
                    if !self.punct(i + 1, "(")
                        && !after("COLLATE")
                        && !after("AS")
                        && !EXPR_KEYWORDS.iter().any(|k| eq(k, self.text(i))) =>
                {
                    out.push(self.text(i).to_lowercase())
                }
                _ => {}
            }
        }
        out
    }
}

/// Whether SQL uses an identifier (as a token: not inside strings or comments).
fn uses(sql: &str, name: &str) -> bool {
    let s = Sig::new(sql);
    (0..s.len()).any(|i| matches!(s.kind(i), Some(Tk::Word | Tk::Quoted)) && eq(&unquote(s.text(i)), name))
}

// ---------------------------------------------------------------------------------------
// The table model: a CREATE TABLE statement as columns and constraints, each kept as text.
// ---------------------------------------------------------------------------------------

/// The target of a REFERENCES clause.
#[derive(Debug, Clone, PartialEq)]
struct Reference {
    table: String,
    /// The parent columns; empty means the parent's primary key.
    columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    PrimaryKey {
        desc: bool,
        autoincrement: bool,
    },
    NotNull,
    Null,
    Unique,
    Check,
    Default,
    Collate,
    References(Reference),
    Generated {
        stored: bool,
    },
    /// Table level: `FOREIGN KEY (columns) REFERENCES ...`.
    ForeignKey(Reference),
    Other,
}

/// A column constraint, or a table constraint.
#[derive(Debug, Clone)]
struct Piece {
    /// `CONSTRAINT name`, unquoted and as written.
    name: Option<(String, String)>,
    kind: Kind,
    /// The text after `CONSTRAINT name`.
    body: String,
    /// Table PRIMARY KEY, UNIQUE and FOREIGN KEY: the table's columns it covers.
    columns: Vec<String>,
    /// Table PRIMARY KEY and UNIQUE: the key terms (`a COLLATE NOCASE`), for grouping.
    keys: Vec<String>,
    /// CHECK and generated columns: the identifiers the expression mentions, lowercased.
    idents: Vec<String>,
    /// DEFAULT: the value; CHECK: the expression with its parentheses.
    value: String,
}

impl Piece {
    fn sql(&self) -> String {
        match &self.name {
            Some((_, written)) => format!("CONSTRAINT {written} {}", self.body),
            None => self.body.clone(),
        }
    }

    fn named(&self, name: &str) -> bool {
        self.name.as_ref().is_some_and(|(n, _)| eq(n, name))
    }

    fn is_constraint(&self) -> bool {
        matches!(self.kind, Kind::PrimaryKey { .. } | Kind::Unique | Kind::Check | Kind::References(_) | Kind::ForeignKey(_))
    }
}

#[derive(Debug, Clone)]
struct Column {
    name: String,
    /// The name as written (quoted or not).
    name_sql: String,
    type_sql: String,
    pieces: Vec<Piece>,
    /// The index of the column of the table before the change whose values it takes.
    origin: Option<usize>,
}

impl Column {
    fn sql(&self) -> String {
        let mut out = self.name_sql.clone();
        if !self.type_sql.is_empty() {
            out.push(' ');
            out.push_str(&self.type_sql);
        }
        for p in &self.pieces {
            out.push(' ');
            out.push_str(&p.sql());
        }
        out
    }

    fn has(&self, f: impl Fn(&Kind) -> bool) -> bool {
        self.pieces.iter().any(|p| f(&p.kind))
    }

    fn generated(&self) -> bool {
        self.has(|k| matches!(k, Kind::Generated { .. }))
    }

    fn default(&self) -> Option<&Piece> {
        self.pieces.iter().find(|p| p.kind == Kind::Default)
    }
}

#[derive(Debug, Clone)]
struct TableDef {
    columns: Vec<Column>,
    constraints: Vec<Piece>,
    /// What follows the column list (` WITHOUT ROWID, STRICT`), as written.
    options: String,
    without_rowid: bool,
    strict: bool,
}

/// Where a constraint is: a column's piece, or a table constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loc {
    Column(usize, usize),
    Table(usize),
}

impl TableDef {
    fn find(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| eq(&c.name, name))
    }

    fn piece(&self, loc: Loc) -> &Piece {
        match loc {
            Loc::Column(c, p) => &self.columns[c].pieces[p],
            Loc::Table(t) => &self.constraints[t],
        }
    }

    fn piece_mut(&mut self, loc: Loc) -> &mut Piece {
        match loc {
            Loc::Column(c, p) => &mut self.columns[c].pieces[p],
            Loc::Table(t) => &mut self.constraints[t],
        }
    }

    fn remove(&mut self, loc: Loc) {
        match loc {
            Loc::Column(c, p) => {
                self.columns[c].pieces.remove(p);
            }
            Loc::Table(t) => {
                self.constraints.remove(t);
            }
        }
    }

    /// Every constraint, columns' first.
    fn locations(&self) -> Vec<Loc> {
        let mut out = Vec::new();
        for (c, col) in self.columns.iter().enumerate() {
            out.extend((0..col.pieces.len()).map(|p| Loc::Column(c, p)));
        }
        out.extend((0..self.constraints.len()).map(Loc::Table));
        out
    }

    /// The columns a constraint covers.
    fn covered(&self, loc: Loc) -> Vec<String> {
        match loc {
            Loc::Column(c, _) => vec![self.columns[c].name.clone()],
            Loc::Table(t) => self.constraints[t].columns.clone(),
        }
    }

    /// The primary key's columns (empty when there is none).
    fn primary_key(&self) -> Vec<String> {
        self.locations()
            .into_iter()
            .find(|l| matches!(self.piece(*l).kind, Kind::PrimaryKey { .. }))
            .map(|l| self.covered(l))
            .unwrap_or_default()
    }

    /// The column that is an alias of the rowid (an INTEGER PRIMARY KEY), if any.
    fn rowid_alias(&self) -> Option<usize> {
        if self.without_rowid {
            return None;
        }
        let integer = |c: usize| eq(self.columns[c].type_sql.trim(), "INTEGER");
        for loc in self.locations() {
            match (loc, &self.piece(loc).kind) {
                // `INTEGER PRIMARY KEY DESC` is not an alias: a quirk SQLite keeps.
                (Loc::Column(c, _), Kind::PrimaryKey { desc, .. }) => return (!desc && integer(c)).then_some(c),
                (Loc::Table(t), Kind::PrimaryKey { .. }) => {
                    let cols = &self.constraints[t].columns;
                    return if cols.len() == 1 { self.find(&cols[0]).filter(|&c| integer(c)) } else { None };
                }
                _ => {}
            }
        }
        None
    }

    fn autoincrement(&self) -> bool {
        self.locations().into_iter().any(|l| matches!(self.piece(l).kind, Kind::PrimaryKey { autoincrement: true, .. }))
    }

    /// The sets of columns that are unique (primary key, UNIQUE constraints), lowercased.
    fn unique_sets(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for loc in self.locations() {
            if matches!(self.piece(loc).kind, Kind::PrimaryKey { .. } | Kind::Unique) {
                out.push(key_set(&self.covered(loc)));
            }
        }
        out
    }

    /// The names PostgreSQL gives the unnamed constraints (`t_pkey`, `t_a_key`,
    /// `t_a_fkey`, `t_a_check`, `t_check`), numbered as PostgreSQL numbers clashes.
    fn default_names(&self, table: &str) -> Vec<(Loc, String)> {
        let mut used: HashSet<String> =
            self.locations().into_iter().filter_map(|l| self.piece(l).name.as_ref().map(|(n, _)| n.to_lowercase())).collect();
        let columns: HashSet<String> = self.columns.iter().map(|c| c.name.to_lowercase()).collect();
        let mut out = Vec::new();
        for loc in self.locations() {
            let p = self.piece(loc);
            if p.name.is_some() || !p.is_constraint() {
                continue;
            }
            let cols = self.covered(loc).join("_");
            let base = match &p.kind {
                Kind::PrimaryKey { .. } => format!("{table}_pkey"),
                Kind::Unique => format!("{table}_{cols}_key"),
                Kind::References(_) | Kind::ForeignKey(_) => format!("{table}_{cols}_fkey"),
                _ => {
                    let mut mentioned: Vec<&String> = p.idents.iter().filter(|i| columns.contains(*i)).collect();
                    mentioned.sort();
                    mentioned.dedup();
                    match mentioned.as_slice() {
                        [one] => {
                            let name = self.columns.iter().find(|c| eq(&c.name, one)).map_or(one.as_str(), |c| &c.name);
                            format!("{table}_{name}_check")
                        }
                        _ => format!("{table}_check"),
                    }
                }
            };
            let mut name = base.clone();
            let mut n = 0;
            while used.contains(&name.to_lowercase()) {
                n += 1;
                name = format!("{base}{n}");
            }
            used.insert(name.to_lowercase());
            out.push((loc, name));
        }
        out
    }

    /// A constraint by name: its own, or the one PostgreSQL would have given it.
    fn find_constraint(&self, table: &str, name: &str) -> Option<Loc> {
        self.locations()
            .into_iter()
            .find(|l| self.piece(*l).named(name))
            .or_else(|| self.default_names(table).into_iter().find(|(_, n)| eq(n, name)).map(|(l, _)| l))
    }

    fn sql(&self, name: &str) -> String {
        let items: Vec<String> = self.columns.iter().map(Column::sql).chain(self.constraints.iter().map(Piece::sql)).collect();
        format!("CREATE TABLE {} ({}){}", q(name), items.join(", "), self.options)
    }
}

fn key_set(cols: &[String]) -> Vec<String> {
    let mut v: Vec<String> = cols.iter().map(|c| c.to_lowercase()).collect();
    v.sort();
    v.dedup();
    v
}

const COLUMN_CONSTRAINT_START: &[&str] =
    &["CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE", "REFERENCES", "GENERATED", "AS"];

const TABLE_CONSTRAINT_START: &[&str] = &["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

fn parse_table(sql: &str) -> Result<TableDef, String> {
    let s = Sig::new(sql);
    let open = (0..s.len()).find(|&i| s.punct(i, "(")).ok_or("no column list")?;
    let close = s.close(open);
    if close >= s.len() {
        return Err("unbalanced parentheses".into());
    }
    let mut def =
        TableDef { columns: Vec::new(), constraints: Vec::new(), options: String::new(), without_rowid: false, strict: false };
    for (a, b) in s.split(open + 1, close) {
        if TABLE_CONSTRAINT_START.iter().any(|k| s.kw(a, k)) {
            def.constraints.extend(parse_table_constraints(&s, a, b));
        } else if a < b {
            def.columns.push(parse_column(&s, a, b));
        }
    }
    let options = s.span(close + 1, s.len());
    if !options.is_empty() {
        def.options = format!(" {options}");
    }
    def.without_rowid = (close + 1..s.len()).any(|i| s.kw(i, "WITHOUT") && s.kw(i + 1, "ROWID"));
    def.strict = (close + 1..s.len()).any(|i| s.kw(i, "STRICT"));
    if def.columns.is_empty() {
        return Err("no columns".into());
    }
    Ok(def)
}

/// `ON CONFLICT <resolution>`, if there.
fn skip_conflict(s: &Sig, i: usize) -> usize {
    if s.kw(i, "ON") && s.kw(i + 1, "CONFLICT") {
        i + 3
    } else {
        i
    }
}

/// A comma-separated list of names in the parentheses opening at `open`.
fn name_list(s: &Sig, open: usize) -> Vec<String> {
    s.split(open + 1, s.close(open)).into_iter().map(|(a, _)| unquote(s.text(a))).collect()
}

/// `REFERENCES table [(columns)] [actions]` starting at `i`; returns the end.
fn parse_reference(s: &Sig, mut i: usize, b: usize) -> (Reference, usize) {
    i += 1; // REFERENCES
    let table = unquote(s.text(i));
    i += 1;
    let mut columns = Vec::new();
    if s.punct(i, "(") {
        columns = name_list(s, i);
        i = s.close(i) + 1;
    }
    while i < b {
        if s.kw(i, "ON") && (s.kw(i + 1, "DELETE") || s.kw(i + 1, "UPDATE")) {
            i += 2;
            i += if s.kw(i, "SET") || s.kw(i, "NO") { 2 } else { 1 };
        } else if s.kw(i, "MATCH") {
            i += 2;
        } else if s.kw(i, "DEFERRABLE") || (s.kw(i, "NOT") && s.kw(i + 1, "DEFERRABLE")) {
            i += if s.kw(i, "NOT") { 2 } else { 1 };
            if s.kw(i, "INITIALLY") {
                i += 2;
            }
        } else {
            break;
        }
    }
    (Reference { table, columns }, i.min(b))
}

/// Start a column or table constraint at token `i`: its optional `CONSTRAINT name`, and
/// where its body starts.
fn begin_piece(s: &Sig, i: usize, b: usize) -> (usize, Piece) {
    let (name, body) = if s.kw(i, "CONSTRAINT") && i + 1 < b {
        (Some((unquote(s.text(i + 1)), s.text(i + 1).to_string())), i + 2)
    } else {
        (None, i)
    };
    let piece = Piece {
        name,
        kind: Kind::Other,
        body: String::new(),
        columns: Vec::new(),
        keys: Vec::new(),
        idents: Vec::new(),
        value: String::new(),
    };
    (body, piece)
}

fn parse_column(s: &Sig, a: usize, b: usize) -> Column {
    let name_sql = s.text(a).to_string();
    let mut i = a + 1;
    while i < b && !COLUMN_CONSTRAINT_START.iter().any(|k| s.kw(i, k)) {
        i = s.skip(i);
    }
    let type_sql = s.span(a + 1, i.min(b));
    let mut pieces = Vec::new();
    while i < b {
        let start = i;
        let (body, mut piece) = begin_piece(s, i, b);
        i = body;
        if s.kw(i, "PRIMARY") {
            i += 2;
            let desc = s.kw(i, "DESC");
            if desc || s.kw(i, "ASC") {
                i += 1;
            }
            i = skip_conflict(s, i);
            let autoincrement = s.kw(i, "AUTOINCREMENT");
            if autoincrement {
                i += 1;
            }
            piece.kind = Kind::PrimaryKey { desc, autoincrement };
        } else if s.kw(i, "NOT") && s.kw(i + 1, "NULL") {
            i = skip_conflict(s, i + 2);
            piece.kind = Kind::NotNull;
        } else if s.kw(i, "NULL") {
            i = skip_conflict(s, i + 1);
            piece.kind = Kind::Null;
        } else if s.kw(i, "UNIQUE") {
            i = skip_conflict(s, i + 1);
            piece.kind = Kind::Unique;
        } else if s.kw(i, "CHECK") && s.punct(i + 1, "(") {
            let close = s.close(i + 1);
            piece.idents = s.idents(i + 2, close);
            piece.value = s.span(i + 1, close + 1);
            i = close + 1;
            piece.kind = Kind::Check;
        } else if s.kw(i, "DEFAULT") {
            i += 1;
            let v = i;
            i = if s.punct(i, "-") || s.punct(i, "+") { i + 2 } else { s.skip(i) };
            piece.value = s.span(v, i);
            piece.kind = Kind::Default;
        } else if s.kw(i, "COLLATE") {
            piece.value = unquote(s.text(i + 1));
            i += 2;
            piece.kind = Kind::Collate;
        } else if s.kw(i, "REFERENCES") {
            let (r, end) = parse_reference(s, i, b);
            i = end;
            piece.kind = Kind::References(r);
        } else if s.kw(i, "GENERATED") || s.kw(i, "AS") {
            if s.kw(i, "GENERATED") {
                i += 2; // GENERATED ALWAYS
            }
            i += 1; // AS
            if s.punct(i, "(") {
                let close = s.close(i);
                piece.idents = s.idents(i + 1, close);
                i = close + 1;
            }
            let stored = s.kw(i, "STORED");
            if stored || s.kw(i, "VIRTUAL") {
                i += 1;
            }
            piece.kind = Kind::Generated { stored };
        } else {
            i = s.skip(i);
            while i < b && !COLUMN_CONSTRAINT_START.iter().any(|k| s.kw(i, k)) {
                i = s.skip(i);
            }
        }
        i = i.clamp(start + 1, b);
        piece.body = s.span(body, i);
        pieces.push(piece);
    }
    Column { name: unquote(&name_sql), name_sql, type_sql, pieces, origin: None }
}

fn parse_table_constraints(s: &Sig, a: usize, b: usize) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut i = a;
    while i < b {
        let start = i;
        let (body, mut piece) = begin_piece(s, i, b);
        i = body;
        if (s.kw(i, "PRIMARY") && s.punct(i + 2, "(")) || (s.kw(i, "UNIQUE") && s.punct(i + 1, "(")) {
            let primary = s.kw(i, "PRIMARY");
            let open = if primary { i + 2 } else { i + 1 };
            let close = s.close(open);
            for (x, y) in s.split(open + 1, close) {
                piece.columns.push(unquote(s.text(x)));
                let mut end = y;
                while end > x + 1 && (s.kw(end - 1, "ASC") || s.kw(end - 1, "DESC") || s.kw(end - 1, "AUTOINCREMENT")) {
                    end -= 1;
                }
                piece.keys.push(s.span(x, end));
            }
            i = skip_conflict(s, close + 1);
            piece.kind = if primary { Kind::PrimaryKey { desc: false, autoincrement: false } } else { Kind::Unique };
        } else if s.kw(i, "CHECK") && s.punct(i + 1, "(") {
            let close = s.close(i + 1);
            piece.idents = s.idents(i + 2, close);
            piece.value = s.span(i + 1, close + 1);
            i = close + 1;
            piece.kind = Kind::Check;
        } else if s.kw(i, "FOREIGN") && s.punct(i + 2, "(") {
            piece.columns = name_list(s, i + 2);
            let (r, end) = parse_reference(s, s.close(i + 2) + 1, b);
            i = end;
            piece.kind = Kind::ForeignKey(r);
        } else {
            i = b;
        }
        i = i.clamp(start + 1, b);
        piece.body = s.span(body, i);
        out.push(piece);
    }
    out
}

/// A CREATE INDEX statement, as far as a rebuild needs it.
struct IndexInfo {
    unique: bool,
    /// The plain columns, when the index has only plain columns and no WHERE.
    columns: Option<Vec<String>>,
    /// Every identifier after `ON table`, lowercased.
    idents: Vec<String>,
}

fn parse_index(sql: &str) -> IndexInfo {
    let s = Sig::new(sql);
    let unique = s.kw(1, "UNIQUE");
    let on = (0..s.len()).find(|&i| s.kw(i, "ON")).unwrap_or(s.len());
    let open = on + 2;
    let mut columns = None;
    if s.punct(open, "(") {
        let close = s.close(open);
        let parts = s.split(open + 1, close);
        let plain = parts.iter().all(|&(x, y)| {
            matches!(s.kind(x), Some(Tk::Word | Tk::Quoted))
                && (x + 1..y).all(|k| s.kw(k, "ASC") || s.kw(k, "DESC") || s.kw(k, "COLLATE") || s.kw(k - 1, "COLLATE"))
        });
        if plain && close + 1 >= s.len() {
            columns = Some(parts.iter().map(|&(x, _)| unquote(s.text(x))).collect());
        }
    }
    IndexInfo { unique, columns, idents: s.idents(open, s.len()) }
}

// ---------------------------------------------------------------------------------------
// The live schema
// ---------------------------------------------------------------------------------------

/// A row of `sqlite_master`.
#[derive(Debug, Clone)]
struct SchemaObject {
    kind: String,
    name: String,
    table: String,
    sql: Option<String>,
}

fn read_schema(driver: &mut dyn Driver) -> Result<Vec<SchemaObject>, String> {
    let rows = driver
        .query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid", &[])
        .map_err(|e| format!("cannot read the schema: {e}"))?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut it = r.into_iter();
            let mut next = || it.next().unwrap_or(Value::Null);
            let kind = next().into_string();
            let name = next().into_string();
            let table = next().into_string();
            let sql = match next() {
                Value::Null => None,
                v => Some(v.into_string()),
            };
            SchemaObject { kind, name, table, sql }
        })
        .collect())
}

/// The schema after renaming columns of `table`, as SQLite itself rewrites it (indexes,
/// triggers, views and other tables' foreign keys follow the new names): worked out on an
/// in-memory copy of the schema, so planning changes nothing.
fn renamed_schema(schema: &[SchemaObject], table: &str, renames: &[(String, String)]) -> Result<Vec<SchemaObject>, String> {
    let conn = rusqlite::Connection::open_in_memory().map_err(|e| e.to_string())?;
    let rank = |k: &str| match k {
        "table" => 0,
        "index" => 1,
        "view" => 2,
        _ => 3,
    };
    let mut objects: Vec<&SchemaObject> =
        schema.iter().filter(|o| o.sql.is_some() && !o.name.to_lowercase().starts_with("sqlite_")).collect();
    objects.sort_by_key(|o| rank(&o.kind));
    for o in objects {
        // What cannot be copied (a virtual table of a module this build lacks) keeps its text.
        let _ = conn.execute_batch(o.sql.as_deref().unwrap_or_default());
    }
    for (from, to) in renames {
        conn.execute_batch(&format!("ALTER TABLE {} RENAME COLUMN {} TO {}", q(table), q(from), q(to)))
            .map_err(|e| format!("cannot rename column `{from}` of `{table}` to `{to}`: {e}"))?;
    }
    let mut stmt = conn.prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL").map_err(|e| e.to_string())?;
    let rows: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .and_then(|rows| rows.collect())
        .map_err(|e| e.to_string())?;
    Ok(schema
        .iter()
        .map(|o| {
            let mut o = o.clone();
            if let Some((_, _, sql)) = rows.iter().find(|(k, n, _)| *k == o.kind && *n == o.name) {
                o.sql = Some(sql.clone());
            }
            o
        })
        .collect())
}

/// A foreign key of some table that references the rebuilt table.
struct Incoming {
    child: String,
    /// The referenced columns; empty means the primary key.
    parent_columns: Vec<String>,
}

fn incoming_keys(schema: &[SchemaObject], table: &str) -> Vec<Incoming> {
    let mut out = Vec::new();
    for o in schema.iter().filter(|o| o.kind == "table") {
        let Some(def) = o.sql.as_deref().and_then(|s| parse_table(s).ok()) else { continue };
        for loc in def.locations() {
            if let Kind::References(r) | Kind::ForeignKey(r) = &def.piece(loc).kind {
                if eq(&r.table, table) {
                    out.push(Incoming { child: o.name.clone(), parent_columns: r.columns.clone() });
                }
            }
        }
    }
    out
}

fn parse_one(sql: &str) -> Result<Statement, String> {
    let mut stmts = Parser::parse_sql(&SQLiteDialect {}, sql).map_err(|e| e.to_string())?;
    if stmts.len() == 1 {
        Ok(stmts.remove(0))
    } else {
        Err("expected one statement".into())
    }
}

fn query_row(driver: &mut dyn Driver, sql: &str) -> Option<Vec<Value>> {
    driver.query(sql, &[]).ok().and_then(|rows| rows.into_iter().next())
}

// ---------------------------------------------------------------------------------------
// Planning
// ---------------------------------------------------------------------------------------

/// Plan the statements for `spec` against the live database.
pub fn plan(driver: &mut dyn Driver, spec: &RebuildSpec) -> Result<RebuildPlan, String> {
    let schema = read_schema(driver)?;
    let Some(table_obj) = schema.iter().find(|o| o.kind == "table" && eq(&o.name, &spec.table)).cloned() else {
        return Err(format!("no such table: {}", spec.table));
    };
    let table = table_obj.name.clone();
    let old_sql = table_obj.sql.clone().unwrap_or_default();
    let head = Sig::new(&old_sql);
    if head.kw(1, "VIRTUAL") {
        return Err(format!("`{table}` is a virtual table: SQLite cannot change its columns or constraints"));
    }
    let old = parse_table(&old_sql)
        .map_err(|e| format!("cannot read the definition of table `{table}` to rebuild it ({e}): {old_sql}"))?;

    // Native first: SQLite runs these itself, keeping everything that depends on the table.
    if let Some(statements) = native(&schema, &old, &table, &spec.operations) {
        return Ok(RebuildPlan { statements, rebuilt: false, check_tables: Vec::new() });
    }
    rebuild(driver, &schema, &table, old, spec)
}

/// The statements when SQLite can run every operation itself, else `None`.
fn native(schema: &[SchemaObject], old: &TableDef, table: &str, ops: &[AlterTableOperation]) -> Option<Vec<String>> {
    let qt = q(table);
    let mut names: Vec<String> = old.columns.iter().map(|c| c.name.clone()).collect();
    let mut out = Vec::new();
    for op in ops {
        match op {
            AlterTableOperation::RenameColumn { old_column_name, new_column_name } => {
                let i = names.iter().position(|n| eq(n, &old_column_name.value))?;
                names[i] = new_column_name.value.clone();
                out.push(format!(
                    "ALTER TABLE {qt} RENAME COLUMN {} TO {}",
                    q(&old_column_name.value),
                    q(&new_column_name.value)
                ));
            }
            AlterTableOperation::ValidateConstraint { .. } => {}
            AlterTableOperation::AddColumn { column_def, if_not_exists, .. } => {
                if names.iter().any(|n| eq(n, &column_def.name.value)) {
                    if *if_not_exists {
                        continue;
                    }
                    return None; // the rebuild says it exists
                }
                let mut def = column_def.clone();
                if old.strict {
                    def.data_type = sqlparser::ast::DataType::Custom(
                        ObjectName::from(vec![Ident::new(strict_type(&def.data_type.to_string()).ok()?)]),
                        Vec::new(),
                    );
                }
                if !native_add(&def) {
                    return None;
                }
                names.push(def.name.value.clone());
                out.push(format!("ALTER TABLE {qt} ADD COLUMN {def}"));
            }
            AlterTableOperation::DropColumn { column_names, if_exists, .. } => {
                for c in column_names {
                    let Some(i) = names.iter().position(|n| eq(n, &c.value)) else {
                        if *if_exists {
                            continue;
                        }
                        return None;
                    };
                    // Only columns of the table as it is: what an earlier ADD added is not indexed.
                    if !old.columns.iter().any(|o| eq(&o.name, &c.value)) || !native_drop_ok(schema, old, table, &c.value) {
                        return None;
                    }
                    if names.len() == 1 {
                        return None;
                    }
                    names.remove(i);
                    out.push(format!("ALTER TABLE {qt} DROP COLUMN {}", q(&c.value)));
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Whether SQLite's own `ADD COLUMN` can add this column with PostgreSQL's meaning.
fn native_add(def: &ColumnDef) -> bool {
    let mut not_null = false;
    let mut default = None;
    let mut references = false;
    for o in &def.options {
        match &o.option {
            ColumnOption::PrimaryKey(_) | ColumnOption::Unique(_) => return false,
            ColumnOption::Generated { generation_expr_mode: Some(sqlparser::ast::GeneratedExpressionMode::Stored), .. } => {
                return false
            }
            ColumnOption::NotNull => not_null = true,
            ColumnOption::Default(e) => default = Some(e),
            ColumnOption::ForeignKey(_) => references = true,
            _ => {}
        }
    }
    let null_default = default.is_none_or(|e| matches!(e, Expr::Value(v) if matches!(v.value, SqlValue::Null)));
    // A non-NULL default in a REFERENCES column must be checked against the parent.
    default.is_none_or(is_constant) && !(not_null && null_default) && (!references || null_default)
}

/// A default SQLite's `ADD COLUMN` accepts: a literal, maybe signed; not an expression in
/// parentheses, not CURRENT_TIMESTAMP and the like.
fn is_constant(e: &Expr) -> bool {
    match e {
        Expr::Value(v) => !matches!(v.value, SqlValue::Placeholder(_)),
        Expr::UnaryOp { expr, .. } => matches!(&**expr, Expr::Value(_)),
        _ => false,
    }
}

/// SQLite's `DROP COLUMN` refuses a column that is a key, unique, indexed, in a table
/// constraint, or used by a generated column, trigger or view; and sqlmig wants the rebuild's
/// refusals (a view or another table's foreign key uses it) to speak for those cases.
fn native_drop_ok(schema: &[SchemaObject], old: &TableDef, table: &str, column: &str) -> bool {
    let col = column.to_lowercase();
    let Some(i) = old.find(column) else { return false };
    if old.columns[i].has(|k| matches!(k, Kind::PrimaryKey { .. } | Kind::Unique | Kind::References(_) | Kind::Generated { .. }))
    {
        return false;
    }
    for (c, other) in old.columns.iter().enumerate() {
        if c != i
            && other.pieces.iter().any(|p| matches!(p.kind, Kind::Check | Kind::Generated { .. }) && p.idents.contains(&col))
        {
            return false;
        }
    }
    if old.constraints.iter().any(|p| p.columns.iter().any(|c| eq(c, column)) || p.idents.contains(&col)) {
        return false;
    }
    if incoming_keys(schema, table).iter().any(|k| {
        k.parent_columns.iter().any(|c| eq(c, column))
            || (k.parent_columns.is_empty() && old.primary_key().iter().any(|c| eq(c, column)))
    }) {
        return false;
    }
    !schema.iter().any(|o| {
        o.sql.as_deref().is_some_and(|sql| {
            (o.kind == "index" && eq(&o.table, table) && parse_index(sql).idents.contains(&col))
                || (matches!(o.kind.as_str(), "view" | "trigger") && uses(sql, table) && uses(sql, column))
        })
    })
}

/// The type to declare in a STRICT table for `ty`: the type itself when STRICT allows it,
/// else the STRICT type of the same affinity.
fn strict_type(ty: &str) -> Result<String, String> {
    let t = ty.trim();
    if ["INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"].iter().any(|s| eq(s, t)) {
        return Ok(t.to_string());
    }
    let u = t.to_uppercase();
    if u.contains("INT") {
        Ok("INTEGER".into())
    } else if u.contains("CHAR") || u.contains("CLOB") || u.contains("TEXT") {
        Ok("TEXT".into())
    } else if u.contains("BLOB") {
        Ok("BLOB".into())
    } else if u.contains("REAL") || u.contains("FLOA") || u.contains("DOUB") {
        Ok("REAL".into())
    } else {
        Err(format!("a STRICT table's columns are INT, INTEGER, REAL, TEXT, BLOB or ANY; `{t}` is none of them"))
    }
}

/// A DEFAULT value in the form SQLite accepts: literals as they are, expressions in
/// parentheses.
fn default_sql(e: &Expr) -> String {
    let text = e.to_string();
    let bare = match e {
        Expr::Value(_) => true,
        Expr::UnaryOp { expr, .. } => matches!(&**expr, Expr::Value(_)),
        _ => ["CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME"].iter().any(|k| eq(k, &text)),
    };
    let sig = Sig::new(&text);
    if bare || (text.starts_with('(') && sig.close(0) + 1 == sig.len()) {
        text
    } else {
        format!("({text})")
    }
}

/// The value a new column holds in the existing rows, as an expression over the old table.
fn added_value(c: &Column) -> String {
    let Some(d) = c.default() else { return "NULL".into() };
    let v = d.value.trim();
    let s = Sig::new(v);
    let keyword = ["NULL", "TRUE", "FALSE", "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME"].iter().any(|k| eq(k, v));
    if s.len() == 1 && s.kind(0) == Some(Tk::Word) && !keyword {
        lit(v) // SQLite reads a bare word default as text
    } else if v.is_empty() {
        "NULL".into()
    } else {
        format!("({v})")
    }
}

/// A data check: a count that must be zero, and what to say when it is not.
struct Check {
    count: String,
    /// A query whose first row shows an offending value, run only when the count is not zero.
    sample: Option<String>,
    /// With `{n}` for the count and `{sample}` for the sample row.
    message: String,
}

struct Planner<'a> {
    table: String,
    qt: String,
    schema: &'a [SchemaObject],
    /// The table before the change (after any renames).
    old: TableDef,
    /// The columns' names in the live table, for checks that run before the renames.
    live_names: Vec<String>,
    new: TableDef,
    checks: Vec<Check>,
    /// Old columns that are gone, lowercased.
    dropped: Vec<String>,
    /// Old columns whose type changed.
    retyped: HashSet<usize>,
    foreign_key_added: bool,
}

fn rebuild(
    driver: &mut dyn Driver,
    schema: &[SchemaObject],
    table: &str,
    live: TableDef,
    spec: &RebuildSpec,
) -> Result<RebuildPlan, String> {
    // Renames run natively before the copy, so SQLite rewrites what refers to the columns
    // (indexes, triggers, views, other tables' foreign keys) with its own name resolution.
    let mut renames: Vec<(String, String)> = Vec::new();
    let mut others: Vec<&AlterTableOperation> = Vec::new();
    for op in &spec.operations {
        match op {
            AlterTableOperation::RenameColumn { old_column_name: from, new_column_name: to } => {
                let mentioned = |o: &&AlterTableOperation| uses(&o.to_string(), &from.value) || uses(&o.to_string(), &to.value);
                if others.iter().any(mentioned) {
                    return Err(format!(
                        "cannot rename column `{}` of `{table}` in the same table rebuild as the changes before it that use its name; \
                         put the RENAME COLUMN in an ALTER TABLE statement of its own",
                        from.value
                    ));
                }
                renames.push((from.value.clone(), to.value.clone()));
            }
            AlterTableOperation::RenameTable { .. } => {
                return Err("SQLite cannot rename a table in the same statement as other changes".into());
            }
            other => others.push(other),
        }
    }
    let live_names: Vec<String> = live.columns.iter().map(|c| c.name.clone()).collect();
    let (schema_now, mut old) = if renames.is_empty() {
        (schema.to_vec(), live)
    } else {
        let s = renamed_schema(schema, table, &renames)?;
        let sql = s.iter().find(|o| o.kind == "table" && eq(&o.name, table)).and_then(|o| o.sql.clone()).unwrap_or_default();
        let def = parse_table(&sql).map_err(|e| format!("cannot read the definition of table `{table}` ({e}): {sql}"))?;
        (s, def)
    };
    for (i, c) in old.columns.iter_mut().enumerate() {
        c.origin = Some(i);
    }
    let mut p = Planner {
        table: table.to_string(),
        qt: q(table),
        schema: &schema_now,
        new: old.clone(),
        old,
        live_names,
        checks: Vec::new(),
        dropped: Vec::new(),
        retyped: HashSet::new(),
        foreign_key_added: false,
    };
    for op in others {
        p.apply(op)?;
    }
    p.validate(driver)?;
    Ok(p.statements(&renames))
}

impl Planner<'_> {
    fn column(&self, name: &str) -> Result<usize, String> {
        self.new.find(name).ok_or_else(|| format!("column `{name}` of table `{}` does not exist", self.table))
    }

    /// The table as the checks see it at this point of the change: the live table, or a
    /// projection of it with the columns under their new names and new columns holding
    /// what the existing rows will hold.
    fn source(&self) -> String {
        let plain = self.new.columns.iter().all(|c| c.origin.is_some_and(|o| eq(&self.live_names[o], &c.name)));
        if plain {
            return self.qt.clone();
        }
        let new_alias = self.new.rowid_alias();
        let cols: Vec<String> = self
            .new
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let value = match c.origin {
                    Some(o) => q(&self.live_names[o]),
                    None if Some(i) == new_alias && !self.old.without_rowid => "rowid".into(),
                    None if c.generated() => "NULL".into(),
                    None => added_value(c),
                };
                format!("{value} AS {}", q(&c.name))
            })
            .collect();
        format!("(SELECT {} FROM {})", cols.join(", "), self.qt)
    }

    /// [`Planner::source`] under the table's name, for a FROM clause.
    fn from(&self) -> String {
        format!("{} AS {}", self.source(), self.qt)
    }

    fn check(&mut self, count: String, sample: Option<String>, message: String) {
        self.checks.push(Check { count, sample, message });
    }

    fn check_not_null(&mut self, column: &str, message: String) {
        let count = format!("SELECT count(*) FROM {} WHERE {} IS NULL", self.from(), q(column));
        self.check(count, None, message);
    }

    fn check_unique(&mut self, keys: &[String], what: &str) {
        let src = self.from();
        let list = keys.join(", ");
        let not_null = keys.iter().map(|k| format!("{k} IS NOT NULL")).collect::<Vec<_>>().join(" AND ");
        let groups = format!("FROM {src} WHERE {not_null} GROUP BY {list} HAVING count(*) > 1");
        self.check(
            format!("SELECT count(*) FROM (SELECT 1 {groups})"),
            Some(format!("SELECT {list}, count(*) {groups} LIMIT 1")),
            format!("cannot add {what} ({list}) to `{}`: the value {{sample}} is duplicated{{more}}", self.table),
        );
    }

    fn check_expr(&mut self, expr: &str) {
        let count = format!("SELECT count(*) FROM {} WHERE NOT {expr}", self.from());
        let message = format!("cannot add CHECK {expr} to `{}`: it fails for {{n}}", self.table);
        self.check(count, None, message);
    }

    fn check_reference(&mut self, columns: &[String], r: &Reference) -> Result<(), String> {
        self.foreign_key_added = true;
        let self_ref = eq(&r.table, &self.table);
        let parent_cols: Vec<String> = if !r.columns.is_empty() {
            r.columns.clone()
        } else if self_ref {
            self.new.primary_key()
        } else {
            let parent = self.schema.iter().find(|o| o.kind == "table" && eq(&o.name, &r.table));
            parent.and_then(|o| o.sql.as_deref()).and_then(|s| parse_table(s).ok()).map(|d| d.primary_key()).unwrap_or_default()
        };
        if !self_ref && !self.schema.iter().any(|o| o.kind == "table" && eq(&o.name, &r.table)) {
            return Err(format!("cannot add a foreign key to `{}`: table `{}` does not exist", self.table, r.table));
        }
        if parent_cols.len() != columns.len() {
            return Ok(()); // SQLite will say "foreign key mismatch"
        }
        let parent = if self_ref { self.source() } else { q(&r.table) };
        let matches: Vec<String> =
            columns.iter().zip(&parent_cols).map(|(c, p)| format!("sqlmig_parent.{} = sqlmig_child.{}", q(p), q(c))).collect();
        let not_null = columns.iter().map(|c| format!("sqlmig_child.{} IS NOT NULL", q(c))).collect::<Vec<_>>().join(" AND ");
        let orphans = format!(
            "FROM {} AS sqlmig_child WHERE {not_null} AND NOT EXISTS (SELECT 1 FROM {parent} AS sqlmig_parent WHERE {})",
            self.source(),
            matches.join(" AND ")
        );
        let list = columns.iter().map(|c| format!("sqlmig_child.{}", q(c))).collect::<Vec<_>>().join(", ");
        self.check(
            format!("SELECT count(*) {orphans}"),
            Some(format!("SELECT {list} {orphans} LIMIT 1")),
            format!(
                "cannot add FOREIGN KEY ({}) REFERENCES {} to `{}`: the referenced row of `{}` is missing for {{n}} (first: {{sample}})",
                columns.join(", "),
                r.table,
                self.table,
                r.table
            ),
        );
        Ok(())
    }

    /// What a new column or constraint asks of the existing rows.
    fn check_piece(&mut self, column: Option<usize>, piece: &Piece) -> Result<(), String> {
        let covered: Vec<String> = match column {
            Some(c) => vec![self.new.columns[c].name.clone()],
            None => piece.columns.clone(),
        };
        let keys: Vec<String> = match column {
            Some(_) => covered.iter().map(|c| q(c)).collect(),
            None => piece.keys.clone(),
        };
        match &piece.kind {
            Kind::PrimaryKey { .. } => {
                let alias = column.is_some_and(|c| Some(c) == self.new.rowid_alias() && self.new.columns[c].origin.is_none());
                if !alias {
                    let src = self.from();
                    let any_null = covered.iter().map(|c| format!("{} IS NULL", q(c))).collect::<Vec<_>>().join(" OR ");
                    let message =
                        format!("cannot add PRIMARY KEY ({}) to `{}`: it is NULL in {{n}}", covered.join(", "), self.table);
                    self.check(format!("SELECT count(*) FROM {src} WHERE {any_null}"), None, message);
                }
                self.check_unique(&keys, "PRIMARY KEY");
            }
            Kind::Unique => self.check_unique(&keys, "UNIQUE"),
            Kind::Check => self.check_expr(&piece.value),
            Kind::References(r) | Kind::ForeignKey(r) => self.check_reference(&covered, r)?,
            _ => {}
        }
        Ok(())
    }

    fn apply(&mut self, op: &AlterTableOperation) -> Result<(), String> {
        let table = self.table.clone();
        match op {
            AlterTableOperation::AddColumn { column_def, if_not_exists, .. } => {
                if self.new.find(&column_def.name.value).is_some() {
                    if *if_not_exists {
                        return Ok(());
                    }
                    return Err(format!("column `{}` of table `{table}` already exists", column_def.name.value));
                }
                let mut col = column_from(column_def)?;
                if self.new.strict {
                    col.type_sql = strict_type(&col.type_sql)?;
                }
                let has_pk = !self.new.primary_key().is_empty();
                if has_pk && col.has(|k| matches!(k, Kind::PrimaryKey { .. })) {
                    return Err(format!("table `{table}` already has a primary key"));
                }
                self.new.columns.push(col);
                let i = self.new.columns.len() - 1;
                let c = self.new.columns[i].clone();
                let alias = Some(i) == self.new.rowid_alias() && !self.old.without_rowid;
                if c.has(|k| matches!(k, Kind::NotNull)) && !alias && !c.generated() {
                    let message = format!(
                        "cannot add column `{}` NOT NULL to `{table}`{}: it would be NULL in {{n}}",
                        c.name,
                        if c.default().is_some() { "" } else { " without a default" }
                    );
                    self.check_not_null(&c.name, message);
                }
                for piece in &c.pieces {
                    self.check_piece(Some(i), piece)?;
                }
            }
            AlterTableOperation::DropColumn { column_names, if_exists, .. } => {
                for name in column_names {
                    let Some(i) = self.new.find(&name.value) else {
                        if *if_exists {
                            continue;
                        }
                        return Err(format!("column `{}` of table `{table}` does not exist", name.value));
                    };
                    self.drop_column(i)?;
                }
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let i = self.column(&column_name.value)?;
                let name = self.new.columns[i].name.clone();
                match op {
                    AlterColumnOperation::SetNotNull => {
                        let c = &mut self.new.columns[i];
                        c.pieces.retain(|p| !matches!(p.kind, Kind::NotNull | Kind::Null));
                        c.pieces.push(bare_piece(Kind::NotNull, "NOT NULL"));
                        self.check_not_null(&name, format!("cannot set NOT NULL on `{table}.{name}`: it is NULL in {{n}}"));
                    }
                    AlterColumnOperation::DropNotNull => {
                        if self.new.primary_key().iter().any(|k| eq(k, &name)) {
                            return Err(format!("cannot drop NOT NULL on `{table}.{name}`: it is in the primary key"));
                        }
                        self.new.columns[i].pieces.retain(|p| p.kind != Kind::NotNull);
                    }
                    AlterColumnOperation::SetDefault { value } => {
                        let c = &mut self.new.columns[i];
                        c.pieces.retain(|p| p.kind != Kind::Default);
                        let v = default_sql(value);
                        let mut piece = bare_piece(Kind::Default, &format!("DEFAULT {v}"));
                        piece.value = v;
                        c.pieces.push(piece);
                    }
                    AlterColumnOperation::DropDefault => self.new.columns[i].pieces.retain(|p| p.kind != Kind::Default),
                    AlterColumnOperation::SetDataType { data_type, using, .. } => {
                        if using.is_some() {
                            return Err(
                                "`USING` conversions are not supported on SQLite; the copy converts by column affinity".into()
                            );
                        }
                        self.set_type(i, &data_type.to_string())?;
                    }
                    other => return Err(format!("SQLite cannot run `ALTER COLUMN ... {other}`")),
                }
            }
            AlterTableOperation::ModifyColumn { col_name, data_type, options, .. } => {
                let i = self.column(&col_name.value)?;
                let def = ColumnDef {
                    name: Ident::new(self.new.columns[i].name.clone()),
                    data_type: data_type.clone(),
                    options: options.iter().map(|o| ColumnOptionDef { name: None, option: o.clone() }).collect(),
                };
                let mut col = column_from(&def)?;
                col.name_sql = self.new.columns[i].name_sql.clone();
                col.origin = self.new.columns[i].origin;
                let old_type = self.new.columns[i].type_sql.clone();
                col.type_sql = old_type.clone();
                self.new.columns[i] = col.clone();
                if !eq(&old_type, &data_type.to_string()) {
                    self.set_type(i, &data_type.to_string())?;
                }
                if col.has(|k| matches!(k, Kind::NotNull)) {
                    self.check_not_null(&col.name, format!("cannot set NOT NULL on `{table}.{}`: it is NULL in {{n}}", col.name));
                }
                for piece in &col.pieces {
                    self.check_piece(Some(i), piece)?;
                }
            }
            AlterTableOperation::AddConstraint { constraint, .. } => self.add_constraint(constraint)?,
            AlterTableOperation::DropConstraint { name, if_exists, .. } => self.drop_constraint(&name.value, *if_exists)?,
            AlterTableOperation::DropForeignKey { name, .. } => self.drop_constraint(&name.value, false)?,
            AlterTableOperation::DropPrimaryKey { .. } => {
                let loc = self.new.locations().into_iter().find(|l| matches!(self.new.piece(*l).kind, Kind::PrimaryKey { .. }));
                match loc {
                    Some(loc) => self.new.remove(loc),
                    None => return Err(format!("table `{table}` has no primary key")),
                }
            }
            AlterTableOperation::RenameConstraint { old_name, new_name } => {
                let Some(loc) = self.new.find_constraint(&table, &old_name.value) else {
                    return Err(format!("table `{table}` has no constraint named `{}`", old_name.value));
                };
                if self.new.find_constraint(&table, &new_name.value).is_some() {
                    return Err(format!("table `{table}` already has a constraint named `{}`", new_name.value));
                }
                self.new.piece_mut(loc).name = Some((new_name.value.clone(), q(&new_name.value)));
            }
            AlterTableOperation::ValidateConstraint { .. } => {} // SQLite's constraints always hold
            other => return Err(format!("SQLite cannot run `ALTER TABLE ... {other}`")),
        }
        Ok(())
    }

    fn drop_constraint(&mut self, name: &str, if_exists: bool) -> Result<(), String> {
        match self.new.find_constraint(&self.table, name) {
            Some(loc) => self.new.remove(loc),
            None if if_exists => {}
            None => return Err(format!("table `{}` has no constraint named `{name}`", self.table)),
        }
        Ok(())
    }

    fn set_type(&mut self, i: usize, ty: &str) -> Result<(), String> {
        let table = self.table.clone();
        let name = self.new.columns[i].name.clone();
        let mut ty = ty.to_string();
        // SQLite's INTEGER PRIMARY KEY is the 64-bit rowid already: keeping its type keeps
        // the rowid alias (and AUTOINCREMENT, which needs it).
        if self.new.rowid_alias() == Some(i) && ty.to_uppercase().contains("INT") {
            ty = self.new.columns[i].type_sql.clone();
        }
        if self.new.strict {
            ty = strict_type(&ty).map_err(|e| format!("cannot change the type of `{table}.{name}`: {e}"))?;
            let c = q(&name);
            let bad = match ty.to_uppercase().as_str() {
                "INT" | "INTEGER" => Some(format!("typeof({c}) = 'blob' OR NOT ({c} = CAST({c} AS INTEGER))")),
                "REAL" => Some(format!("typeof({c}) = 'blob' OR NOT ({c} = CAST({c} AS REAL))")),
                "TEXT" => Some(format!("typeof({c}) = 'blob'")),
                "BLOB" => Some(format!("typeof({c}) <> 'blob'")),
                _ => None,
            };
            if let Some(bad) = bad {
                let rows = format!("FROM {} WHERE {c} IS NOT NULL AND ({bad})", self.from());
                self.check(
                    format!("SELECT count(*) {rows}"),
                    Some(format!("SELECT {c} {rows} LIMIT 1")),
                    format!(
                        "cannot change the type of `{table}.{name}` to {ty} in STRICT table `{table}`: the value is not {ty} in {{n}} (first: {{sample}})"
                    ),
                );
            }
        }
        if let Some(o) = self.new.columns[i].origin {
            if !eq(&self.new.columns[i].type_sql, &ty) {
                self.retyped.insert(o);
            }
        }
        self.new.columns[i].type_sql = ty;
        Ok(())
    }

    fn add_constraint(&mut self, constraint: &TableConstraint) -> Result<(), String> {
        let table = self.table.clone();
        let text = constraint.to_string();
        let s = Sig::new(&text);
        let pieces = parse_table_constraints(&s, 0, s.len());
        for piece in pieces {
            for c in &piece.columns {
                self.column(c)?;
            }
            match &piece.kind {
                Kind::PrimaryKey { .. } => {
                    if !self.new.primary_key().is_empty() {
                        return Err(format!("table `{table}` already has a primary key"));
                    }
                    // A primary key's columns are NOT NULL, as on PostgreSQL.
                    for name in &piece.columns {
                        let i = self.column(name)?;
                        let c = &mut self.new.columns[i];
                        if !c.has(|k| *k == Kind::NotNull) {
                            c.pieces.retain(|p| p.kind != Kind::Null);
                            c.pieces.push(bare_piece(Kind::NotNull, "NOT NULL"));
                        }
                    }
                }
                Kind::Unique | Kind::Check | Kind::ForeignKey(_) => {}
                _ => return Err(format!("SQLite cannot add the constraint `{text}`")),
            }
            if let Some((name, _)) = &piece.name {
                if self.new.find_constraint(&table, name).is_some() {
                    return Err(format!("table `{table}` already has a constraint named `{name}`"));
                }
            }
            self.check_piece(None, &piece)?;
            self.new.constraints.push(piece);
        }
        Ok(())
    }

    fn drop_column(&mut self, i: usize) -> Result<(), String> {
        let table = self.table.clone();
        let name = self.new.columns[i].name.clone();
        let col = name.to_lowercase();
        let refuse = |what: String| Err(format!("cannot drop column `{name}` of `{table}`: {what} uses it"));
        // What PostgreSQL refuses without CASCADE.
        for (c, other) in self.new.columns.iter().enumerate() {
            if c != i && other.generated() && other.pieces.iter().any(|p| p.idents.contains(&col)) {
                return refuse(format!("generated column `{}`", other.name));
            }
        }
        if let Some(o) = self.new.columns[i].origin {
            let old_name = self.old.columns[o].name.clone();
            for obj in self.schema {
                let Some(sql) = &obj.sql else { continue };
                if matches!(obj.kind.as_str(), "view" | "trigger") && uses(sql, &table) && uses(sql, &old_name) {
                    return refuse(format!("{} `{}`", obj.kind, obj.name));
                }
            }
            let pk = self.new.primary_key();
            let keyed =
                |cols: &[String]| cols.iter().any(|c| eq(c, &name)) || (cols.is_empty() && pk.iter().any(|c| eq(c, &name)));
            for k in incoming_keys(self.schema, &table) {
                if keyed(&k.parent_columns) {
                    if eq(&k.child, &table) {
                        return refuse(format!("a foreign key of `{table}` itself"));
                    }
                    return refuse(format!("a foreign key of table `{}`", k.child));
                }
            }
        }
        if self.new.columns.len() == 1 {
            return Err(format!("cannot drop column `{name}` of `{table}`: it is the only column, and SQLite tables need one"));
        }
        let removed = self.new.columns.remove(i);
        if let Some(o) = removed.origin {
            self.dropped.push(self.old.columns[o].name.to_lowercase());
        }
        // Constraints that use the column go with it, as on PostgreSQL.
        self.new.constraints.retain(|p| !p.columns.iter().any(|c| eq(c, &name)) && !p.idents.contains(&col));
        for c in &mut self.new.columns {
            c.pieces.retain(|p| !(p.kind == Kind::Check && p.idents.contains(&col)));
        }
        Ok(())
    }

    /// Checks that need the whole change: the rows, then the foreign keys that reference
    /// the table.
    fn validate(&self, driver: &mut dyn Driver) -> Result<(), String> {
        for check in &self.checks {
            // A check that cannot run is left to SQLite, which enforces every constraint
            // while copying and every foreign key in the final check.
            let Some(n) = query_row(driver, &check.count).and_then(|r| r.first().map(Value::as_i64)) else { continue };
            if n == 0 {
                continue;
            }
            let (sample, repeats) = match check.sample.as_deref().and_then(|s| query_row(driver, s)) {
                Some(mut row) => {
                    let repeats = if check.message.contains("{more}") { row.pop().map_or(0, |v| v.as_i64()) } else { 0 };
                    let values: Vec<String> = row.iter().map(Value::to_literal).collect();
                    (format!("({})", values.join(", ")), repeats)
                }
                None => (String::new(), 0),
            };
            let more = if n > 1 { format!(", and {} more", plural(n - 1, "value is", "values are")) } else { String::new() };
            let message = check
                .message
                .replace("{n}", &plural(n, "row", "rows"))
                .replace("{sample}", &sample)
                .replace("{more}", &format!(" ({repeats} rows){more}"));
            return Err(message);
        }
        // A foreign key into this table needs its parent columns to stay a key.
        let unique_indexes = |dropped: &[String]| -> Vec<Vec<String>> {
            self.schema
                .iter()
                .filter(|o| o.kind == "index" && eq(&o.table, &self.table))
                .filter_map(|o| o.sql.as_deref().map(parse_index))
                .filter(|ix| ix.unique && !ix.idents.iter().any(|i| dropped.contains(i)))
                .filter_map(|ix| ix.columns.map(|c| key_set(&c)))
                .collect()
        };
        let keyed = |def: &TableDef, indexes: &[Vec<String>], cols: &[String]| {
            if cols.is_empty() {
                !def.primary_key().is_empty()
            } else {
                let set = key_set(cols);
                def.unique_sets().contains(&set) || indexes.contains(&set)
            }
        };
        let before = unique_indexes(&[]);
        let after = unique_indexes(&self.dropped);
        for k in incoming_keys(self.schema, &self.table) {
            if keyed(&self.old, &before, &k.parent_columns) && !keyed(&self.new, &after, &k.parent_columns) {
                let cols = if k.parent_columns.is_empty() { "its primary key".into() } else { k.parent_columns.join(", ") };
                return Err(format!(
                    "cannot change `{}`: a foreign key of table `{}` references ({cols}), which would no longer be a primary key or unique",
                    self.table, k.child
                ));
            }
        }
        Ok(())
    }

    fn statements(&self, renames: &[(String, String)]) -> RebuildPlan {
        let table = &self.table;
        let qt = &self.qt;
        let taken = |n: &str| self.schema.iter().any(|o| eq(&o.name, n));
        let mut temp = format!("sqlmig_new_{table}");
        let mut n = 1;
        while taken(&temp) {
            n += 1;
            temp = format!("sqlmig_new_{table}_{n}");
        }
        let qtemp = q(&temp);

        // The copy: every column that survives, under its new name, from its old one.
        let mut targets = Vec::new();
        let mut sources = Vec::new();
        for c in &self.new.columns {
            if let (Some(o), false) = (c.origin, c.generated()) {
                targets.push(q(&c.name));
                sources.push(q(&self.old.columns[o].name));
            }
        }
        // Keep the rowids: where the new table has no alias for it, in its own rowid; a new
        // INTEGER PRIMARY KEY column takes them as its values.
        if !self.old.without_rowid && !self.new.without_rowid {
            let free = |def: &TableDef| ["rowid", "_rowid_", "oid"].into_iter().find(|r| def.find(r).is_none());
            let source = match self.old.rowid_alias() {
                Some(a) => Some(q(&self.old.columns[a].name)),
                None => free(&self.old).map(str::to_string),
            };
            let target = match self.new.rowid_alias() {
                Some(a) if self.new.columns[a].origin.is_some() => None,
                Some(a) => Some(q(&self.new.columns[a].name)),
                None => free(&self.new).map(str::to_string),
            };
            if let (Some(s), Some(t)) = (source, target) {
                sources.insert(0, s);
                targets.insert(0, t);
            }
        }

        let mut statements: Vec<String> = Vec::new();
        for (from, to) in renames {
            statements.push(format!("ALTER TABLE {qt} RENAME COLUMN {} TO {}", q(from), q(to)));
        }
        statements.push("PRAGMA legacy_alter_table = ON".into());
        statements.push(self.new.sql(&temp));
        statements.push(format!("INSERT INTO {qtemp} ({}) SELECT {} FROM {qt}", targets.join(", "), sources.join(", ")));
        if self.old.autoincrement() && self.new.autoincrement() {
            // The counter of the old table, not the highest id copied: ids of deleted rows
            // are never reused. Dropping the table forgets its row; renaming the new one
            // renames this one.
            statements.push(format!("DELETE FROM sqlite_sequence WHERE name = {}", lit(&temp)));
            statements.push(format!(
                "INSERT INTO sqlite_sequence (name, seq) SELECT {}, seq FROM sqlite_sequence WHERE name = {}",
                lit(&temp),
                lit(table)
            ));
        }
        statements.push(format!("DROP TABLE {qt}"));
        statements.push(format!("ALTER TABLE {qtemp} RENAME TO {qt}"));
        for o in self.schema.iter().filter(|o| eq(&o.table, table) && matches!(o.kind.as_str(), "index" | "trigger")) {
            let Some(sql) = &o.sql else { continue }; // automatic indexes come back with their constraints
            if o.kind == "index" && parse_index(sql).idents.iter().any(|i| self.dropped.contains(i)) {
                continue; // an index on a dropped column goes with it, as on PostgreSQL
            }
            statements.push(sql.clone());
        }
        statements.push("PRAGMA legacy_alter_table = OFF".into());

        // Foreign keys to check: those the change can have broken.
        let mut check_tables = Vec::new();
        let mut own = self.foreign_key_added;
        for loc in self.new.locations() {
            if let Kind::References(_) | Kind::ForeignKey(_) = &self.new.piece(loc).kind {
                for c in self.new.covered(loc) {
                    if self.new.find(&c).and_then(|i| self.new.columns[i].origin).is_some_and(|o| self.retyped.contains(&o)) {
                        own = true;
                    }
                }
            }
        }
        let pk = self.old.primary_key();
        for k in incoming_keys(self.schema, table) {
            let cols = if k.parent_columns.is_empty() { &pk } else { &k.parent_columns };
            let retyped = cols.iter().any(|c| self.old.find(c).is_some_and(|o| self.retyped.contains(&o)));
            if retyped {
                if eq(&k.child, table) {
                    own = true;
                } else if !check_tables.contains(&k.child) {
                    check_tables.push(k.child.clone());
                }
            }
        }
        if own {
            check_tables.insert(0, table.clone());
        }
        RebuildPlan { statements, rebuilt: true, check_tables }
    }
}

fn bare_piece(kind: Kind, body: &str) -> Piece {
    Piece { name: None, kind, body: body.into(), columns: Vec::new(), keys: Vec::new(), idents: Vec::new(), value: String::new() }
}

/// A column definition from an ALTER TABLE, in the model.
fn column_from(def: &ColumnDef) -> Result<Column, String> {
    let text = def.to_string();
    let s = Sig::new(&text);
    if s.len() == 0 {
        return Err("empty column definition".into());
    }
    Ok(parse_column(&s, 0, s.len()))
}

/// Bring an ALTER TABLE written in `from` into SQLite form (types, defaults, constraints),
/// reusing the translator on small statements of the same meaning.
pub fn to_sqlite(
    stmt: &Statement,
    from: crate::dialect::Dialect,
    catalog: &crate::catalog::Catalog,
) -> Result<RebuildSpec, crate::translate::Refusal> {
    use crate::dialect::Dialect;
    use crate::translate::{translate, Context};
    let Statement::AlterTable(at) = stmt else { unreachable!("to_sqlite is called on ALTER TABLE statements only") };
    let table = at.name.0.last().and_then(|p| p.as_ident()).map(|i| i.value.clone()).unwrap_or_default();
    let table =
        if from == Dialect::Postgres && at.name.0.last().and_then(|p| p.as_ident()).is_some_and(|i| i.quote_style.is_none()) {
            table.to_lowercase()
        } else {
            table
        };
    if from == Dialect::Sqlite {
        return Ok(RebuildSpec { table, operations: at.operations.clone() });
    }
    let cx = Context { from, to: Dialect::Sqlite, catalog };
    // Translate `CREATE TABLE x (<pieces>)` and read the pieces back in SQLite form.
    let via_table =
        |columns: Vec<ColumnDef>, constraints: Vec<TableConstraint>| -> Result<CreateTable, crate::translate::Refusal> {
            let probe = Statement::CreateTable(
                sqlparser::ast::helpers::stmt_create_table::CreateTableBuilder::new(ObjectName::from(vec![Ident::new("x")]))
                    .columns(columns)
                    .constraints(constraints)
                    .build(),
            );
            let out = translate(&probe, &cx)?;
            match out.sql.first().map(|s| parse_one(s)) {
                Some(Ok(Statement::CreateTable(ct))) => Ok(ct),
                _ => Err(crate::translate::Refusal {
                    message: "internal: translated column did not parse".into(),
                    position: None,
                    help: String::new(),
                }),
            }
        };
    let placeholder = || ColumnDef {
        name: Ident::new("sqlmig_placeholder"),
        data_type: sqlparser::ast::DataType::Integer(None),
        options: Vec::new(),
    };
    let mut operations = Vec::new();
    for op in &at.operations {
        let op = match op.clone() {
            AlterTableOperation::AddColumn { column_keyword, if_not_exists, column_def, column_position } => {
                let ct = via_table(vec![column_def], Vec::new())?;
                AlterTableOperation::AddColumn {
                    column_keyword,
                    if_not_exists,
                    column_def: ct.columns[0].clone(),
                    column_position,
                }
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let mut column_name = column_name;
                crate::translate::fold_ident(&mut column_name, from);
                let op = match op {
                    AlterColumnOperation::SetDataType { data_type, using, had_set } => {
                        let col = ColumnDef { data_type, ..placeholder() };
                        let ct = via_table(vec![col], Vec::new())?;
                        AlterColumnOperation::SetDataType { data_type: ct.columns[0].data_type.clone(), using, had_set }
                    }
                    AlterColumnOperation::SetDefault { value } => {
                        let col = ColumnDef {
                            options: vec![ColumnOptionDef { name: None, option: ColumnOption::Default(value) }],
                            ..placeholder()
                        };
                        let ct = via_table(vec![col], Vec::new())?;
                        let value = ct.columns[0].options.iter().find_map(|o| match &o.option {
                            ColumnOption::Default(e) => Some(e.clone()),
                            _ => None,
                        });
                        AlterColumnOperation::SetDefault { value: value.unwrap_or(Expr::value(SqlValue::Null)) }
                    }
                    other => other,
                };
                AlterTableOperation::AlterColumn { column_name, op }
            }
            AlterTableOperation::AddConstraint { constraint, not_valid } => {
                let ct = via_table(vec![placeholder()], vec![constraint])?;
                AlterTableOperation::AddConstraint { constraint: ct.constraints[0].clone(), not_valid }
            }
            AlterTableOperation::DropColumn { has_column_keyword, mut column_names, if_exists, drop_behavior } => {
                for c in &mut column_names {
                    crate::translate::fold_ident(c, from);
                }
                AlterTableOperation::DropColumn { has_column_keyword, column_names, if_exists, drop_behavior }
            }
            AlterTableOperation::DropConstraint { mut name, if_exists, drop_behavior } => {
                crate::translate::fold_ident(&mut name, from);
                AlterTableOperation::DropConstraint { name, if_exists, drop_behavior }
            }
            AlterTableOperation::RenameConstraint { mut old_name, mut new_name } => {
                crate::translate::fold_ident(&mut old_name, from);
                crate::translate::fold_ident(&mut new_name, from);
                AlterTableOperation::RenameConstraint { old_name, new_name }
            }
            AlterTableOperation::RenameColumn { mut old_column_name, mut new_column_name } => {
                crate::translate::fold_ident(&mut old_column_name, from);
                crate::translate::fold_ident(&mut new_column_name, from);
                AlterTableOperation::RenameColumn { old_column_name, new_column_name }
            }
            // MySQL: MODIFY restates a column, CHANGE renames and restates it.
            AlterTableOperation::ModifyColumn { col_name, data_type, options, column_position } => {
                let col = ColumnDef {
                    name: col_name.clone(),
                    data_type,
                    options: options.into_iter().map(|o| ColumnOptionDef { name: None, option: o }).collect(),
                };
                let ct = via_table(vec![col], Vec::new())?;
                let c = ct.columns[0].clone();
                AlterTableOperation::ModifyColumn {
                    col_name,
                    data_type: c.data_type,
                    options: c.options.into_iter().map(|o| o.option).collect(),
                    column_position,
                }
            }
            AlterTableOperation::ChangeColumn { old_name, new_name, data_type, options, column_position } => {
                let col = ColumnDef {
                    name: new_name.clone(),
                    data_type,
                    options: options.into_iter().map(|o| ColumnOptionDef { name: None, option: o }).collect(),
                };
                let ct = via_table(vec![col], Vec::new())?;
                let c = ct.columns[0].clone();
                if !old_name.value.eq_ignore_ascii_case(&new_name.value) {
                    operations.push(AlterTableOperation::RenameColumn {
                        old_column_name: old_name.clone(),
                        new_column_name: new_name.clone(),
                    });
                }
                AlterTableOperation::ModifyColumn {
                    col_name: new_name,
                    data_type: c.data_type,
                    options: c.options.into_iter().map(|o| o.option).collect(),
                    column_position,
                }
            }
            other => other,
        };
        operations.push(op);
    }
    Ok(RebuildSpec { table, operations })
}

/// Whether a statement on SQLite must go through [`plan`] (rather than run as is): an
/// `ALTER TABLE` with anything but renames.
pub fn needs_plan(stmt: &Statement) -> Option<(&ObjectName, &[AlterTableOperation])> {
    match stmt {
        Statement::AlterTable(at)
            if !at
                .operations
                .iter()
                .all(|op| matches!(op, AlterTableOperation::RenameTable { .. } | AlterTableOperation::RenameColumn { .. })) =>
        {
            Some((&at.name, &at.operations))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn identifiers_are_tokens() {
        assert!(uses("CREATE VIEW v AS SELECT a, b FROM t", "b"));
        assert!(!uses("CREATE VIEW v AS SELECT ab FROM t", "b"));
        assert!(!uses("CREATE VIEW v AS SELECT 'b' FROM t -- b", "b"));
        assert!(uses("CREATE VIEW v AS SELECT \"b\" FROM t", "b"));
        assert!(uses("CREATE VIEW v AS SELECT [my col] FROM t", "my col"));
    }

    #[test]
    fn one_line_keeps_text_and_drops_comments() {
        assert_eq!(one_line("a  INT -- x\n  , b 'it''s\n ok'"), "a  INT , b 'it''s\n ok'");
    }

    #[test]
    fn tables_read_back_as_written() {
        let sql = "CREATE TABLE \"odd \"\"t\" (\n  id INTEGER PRIMARY KEY AUTOINCREMENT, -- the key\n  a TEXT COLLATE NOCASE NOT NULL DEFAULT 'x' CHECK (length(a) < 10),\n  g UNSIGNED BIG INT DEFAULT 0x10,\n  d DECIMAL(10, 5),\n  c REAL GENERATED ALWAYS AS (g * 2) STORED,\n  p TEXT REFERENCES p (x) ON DELETE SET NULL NOT DEFERRABLE NOT NULL,\n  CONSTRAINT ck CHECK (g >= 0), UNIQUE (a COLLATE NOCASE, g DESC) FOREIGN KEY (g) REFERENCES q\n) WITHOUT ROWID, STRICT";
        let t = parse_table(sql).unwrap();
        let cols: Vec<String> = t.columns.iter().map(Column::sql).collect();
        assert_eq!(
            cols,
            [
                "id INTEGER PRIMARY KEY AUTOINCREMENT",
                "a TEXT COLLATE NOCASE NOT NULL DEFAULT 'x' CHECK (length(a) < 10)",
                "g UNSIGNED BIG INT DEFAULT 0x10",
                "d DECIMAL(10, 5)",
                "c REAL GENERATED ALWAYS AS (g * 2) STORED",
                "p TEXT REFERENCES p (x) ON DELETE SET NULL NOT DEFERRABLE NOT NULL",
            ]
        );
        assert_eq!(t.columns[5].pieces.len(), 2);
        let cons: Vec<String> = t.constraints.iter().map(Piece::sql).collect();
        assert_eq!(cons, ["CONSTRAINT ck CHECK (g >= 0)", "UNIQUE (a COLLATE NOCASE, g DESC)", "FOREIGN KEY (g) REFERENCES q"]);
        assert_eq!(t.constraints[1].keys, ["a COLLATE NOCASE", "g"]);
        assert_eq!(t.options, " WITHOUT ROWID, STRICT");
        assert!(t.without_rowid && t.strict && t.autoincrement());
        assert_eq!(t.rowid_alias(), None); // WITHOUT ROWID
        assert_eq!(t.columns[1].pieces[3].idents, ["a"]);
    }

    #[test]
    fn rowid_aliases() {
        let alias = |sql: &str| parse_table(sql).unwrap().rowid_alias();
        assert_eq!(alias("CREATE TABLE t (a TEXT, id INTEGER PRIMARY KEY)"), Some(1));
        assert_eq!(alias("CREATE TABLE t (id integer, PRIMARY KEY (id DESC))"), Some(0));
        assert_eq!(alias("CREATE TABLE t (id INTEGER PRIMARY KEY DESC)"), None);
        assert_eq!(alias("CREATE TABLE t (id INT PRIMARY KEY)"), None);
        assert_eq!(alias("CREATE TABLE t (a INTEGER, b INTEGER, PRIMARY KEY (a, b))"), None);
    }

    #[test]
    fn postgres_default_constraint_names() {
        let t = parse_table(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT UNIQUE CHECK (a > 0), b INT REFERENCES p, CHECK (a < b), CHECK (b > 0), CONSTRAINT t_b_check CHECK (b < 9), UNIQUE (a, b))",
        )
        .unwrap();
        let names: Vec<String> = t.default_names("t").into_iter().map(|(_, n)| n).collect();
        assert_eq!(names, ["t_pkey", "t_a_key", "t_a_check", "t_b_fkey", "t_check", "t_b_check1", "t_a_b_key"]);
        assert_eq!(t.find_constraint("t", "T_A_KEY"), Some(Loc::Column(1, 0)));
        assert_eq!(t.find_constraint("t", "t_b_check"), Some(Loc::Table(2)));
    }

    #[test]
    fn indexes() {
        let ix = parse_index("CREATE UNIQUE INDEX i ON t (a COLLATE NOCASE, \"b\" DESC)");
        assert!(ix.unique);
        assert_eq!(ix.columns, Some(vec!["a".to_string(), "b".to_string()]));
        let ix = parse_index("CREATE INDEX i ON t (lower(name)) WHERE deleted IS NULL");
        assert_eq!(ix.columns, None);
        assert_eq!(ix.idents, ["name", "deleted"]);
    }

    #[test]
    fn defaults() {
        let e = |s: &str| Parser::new(&SQLiteDialect {}).try_with_sql(s).unwrap().parse_expr().unwrap();
        assert_eq!(default_sql(&e("3")), "3");
        assert_eq!(default_sql(&e("-3")), "-3");
        assert_eq!(default_sql(&e("'x'")), "'x'");
        assert_eq!(default_sql(&e("CURRENT_TIMESTAMP")), "CURRENT_TIMESTAMP");
        assert_eq!(default_sql(&e("datetime('now')")), "(datetime('now'))");
        assert_eq!(default_sql(&e("(1 + 2)")), "(1 + 2)");
        assert_eq!(default_sql(&e("(1) + (2)")), "((1) + (2))");
    }
}
