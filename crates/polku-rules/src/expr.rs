//! Condition expressions: CEL text, type-checked against the input schema and compiled
//! into a tree of closures over pre-resolved slots.
//!
//! The `cel` crate parses (so the syntax is standard CEL); the checking and the
//! evaluation are ours because rules need three-valued logic (a missing input is
//! *unknown*, never false) and because an interpreter is an order of magnitude slower
//! than the compiled form (see `docs/adr/0001-expression-language.md`).
//!
//! Semantics, in short: `&&` and `||` are Kleene's (false && unknown = false,
//! true || unknown = true); every other operator gives unknown if any operand is
//! unknown; `has(a.b)` tells whether an input is known and is never unknown itself.

use cel::common::ast::operators as op;
use cel::common::ast::{Expr, IdedExpr, ListExpr, LiteralValue, SelectExpr};
use jiff::civil::Date;

use crate::schema::{
    Application, CEFR_LEVELS, FIELDS, FieldType, FieldValue, closest_field, field_index, parse_date,
};

/// A value while evaluating. Text never flows through here: text fields are only
/// compared, and those comparisons are compiled into a node that reads the slot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum V {
    Unknown,
    Bool(bool),
    Num(f64),
    Date(Date),
}

/// A parameter's value in force on the evaluation date.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamRef {
    Number(f64),
    List(std::sync::Arc<[f64]>),
    /// No value is in force on that date.
    Missing,
}

/// What an expression reads while it runs.
pub struct Env<'a> {
    pub app: &'a Application,
    pub params: &'a [ParamRef],
    pub today: Date,
}

type Node = Box<dyn Fn(&Env) -> V + Send + Sync>;

/// The kind of value a parameter holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    Number,
    List,
}

/// The names an expression may use besides the input fields.
pub struct Scope<'a> {
    /// Parameter names and kinds, in slot order.
    pub params: &'a [(String, ParamKind)],
    /// The rule set's definitions: a plain name standing for an expression.
    pub definitions: &'a [(String, String)],
}

impl<'a> Scope<'a> {
    pub fn new(params: &'a [(String, ParamKind)], definitions: &'a [(String, String)]) -> Self {
        Scope {
            params,
            definitions,
        }
    }
}

/// A checked, compiled expression.
pub struct Compiled {
    node: Node,
    pub ty: Ty,
    /// The slot, when the expression is a bare text field.
    pub text_slot: Option<usize>,
    /// Input fields read, in order of first use.
    pub fields: Vec<usize>,
    /// Parameters read, in order of first use.
    pub params: Vec<usize>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("ty", &self.ty)
            .field("fields", &self.fields)
            .finish()
    }
}

impl Compiled {
    pub fn eval(&self, env: &Env) -> V {
        (self.node)(env)
    }
}

/// A static type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Bool,
    Num,
    Date,
    /// A text field; only comparisons and `in` take it.
    Text,
}

/// A problem found while checking an expression.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    /// 0-based line within the expression text.
    pub line: usize,
    pub message: String,
}

fn err<T>(message: impl Into<String>) -> Result<T, ExprError> {
    Err(ExprError {
        line: 0,
        message: message.into(),
    })
}

/// Parses, checks and compiles `source`.
pub fn compile(source: &str, scope: &Scope) -> Result<Compiled, ExprError> {
    let ast = cel::parser::Parser::new().parse(source).map_err(|errors| {
        let first = errors.errors.first();
        ExprError {
            line: first.map(|e| e.pos.0.max(1) as usize - 1).unwrap_or(0),
            message: format!(
                "the expression `{}` does not parse: {}",
                source.trim(),
                first.map(|e| e.msg.as_str()).unwrap_or("syntax error")
            ),
        }
    })?;
    let mut c = Compiler {
        scope,
        fields: Vec::new(),
        params: Vec::new(),
        expanding: Vec::new(),
    };
    let typed = c.expr(&ast)?;
    let mut text_slot = None;
    let (ty, node): (Ty, Node) = match typed {
        Typed::Bool(n) => (Ty::Bool, n),
        Typed::Num(n) => (Ty::Num, n),
        Typed::Date(n) => (Ty::Date, n),
        Typed::Text(StrOperand::Field(slot)) => {
            // Only explanation templates show a bare text field; they read the slot.
            text_slot = Some(slot);
            (Ty::Text, Box::new(|_: &Env| V::Unknown))
        }
        Typed::Text(StrOperand::Lit(_)) | Typed::Texts(_) | Typed::Nums(_) => {
            return err("a text or list literal on its own is not a value a rule can use");
        }
        Typed::Param(_) => {
            return err("a list parameter must be used through a function such as `sum_first`");
        }
    };
    Ok(Compiled {
        node,
        ty,
        text_slot,
        fields: c.fields,
        params: c.params,
    })
}

/// Reads a text field of an application: the template renderer's way to show it.
pub fn text_field(app: &Application, slot: usize) -> Option<&str> {
    match app.get(slot) {
        Some(FieldValue::Text(s)) => Some(s),
        _ => None,
    }
}

enum StrOperand {
    Field(usize),
    Lit(String),
}

enum Typed {
    Bool(Node),
    Num(Node),
    Date(Node),
    Text(StrOperand),
    Texts(Vec<String>),
    Nums(Vec<f64>),
    /// A list parameter, by slot.
    Param(usize),
}

impl Typed {
    fn name(&self) -> &'static str {
        match self {
            Typed::Bool(_) => "a boolean",
            Typed::Num(_) => "a number",
            Typed::Date(_) => "a date",
            Typed::Text(_) => "a text",
            Typed::Texts(_) | Typed::Nums(_) | Typed::Param(_) => "a list",
        }
    }
}

struct Compiler<'s> {
    scope: &'s Scope<'s>,
    fields: Vec<usize>,
    params: Vec<usize>,
    /// Definitions being expanded, to refuse a definition that uses itself.
    expanding: Vec<&'s str>,
}

fn dotted(e: &IdedExpr) -> Option<String> {
    match &e.expr {
        Expr::Ident(name) => Some(name.clone()),
        Expr::Select(sel) if !sel.test => Some(format!("{}.{}", dotted(&sel.operand)?, sel.field)),
        _ => None,
    }
}

fn read_num(env: &Env, slot: usize) -> V {
    match env.app.get(slot) {
        Some(FieldValue::Number(n)) => V::Num(*n),
        _ => V::Unknown,
    }
}

impl<'s> Compiler<'s> {
    fn use_field(&mut self, slot: usize) {
        if !self.fields.contains(&slot) {
            self.fields.push(slot);
        }
    }

    fn use_param(&mut self, slot: usize) {
        if !self.params.contains(&slot) {
            self.params.push(slot);
        }
    }

    fn field(&mut self, path: &str) -> Result<Typed, ExprError> {
        if path == "decision_date" {
            return Ok(Typed::Date(Box::new(|env: &Env| V::Date(env.today))));
        }
        if let Some((name, source)) = self.scope.definitions.iter().find(|(n, _)| n == path) {
            return self.definition(name, source);
        }
        let Some(slot) = field_index(path) else {
            let hint = closest_field(path)
                .map(|f| format!("; did you mean `{f}`?"))
                .unwrap_or_default();
            return err(format!(
                "`{path}` is not an input of the application schema{hint}"
            ));
        };
        self.use_field(slot);
        Ok(match FIELDS[slot].ty {
            FieldType::Bool => Typed::Bool(Box::new(move |env: &Env| match env.app.get(slot) {
                Some(FieldValue::Bool(b)) => V::Bool(*b),
                _ => V::Unknown,
            })),
            FieldType::Number => Typed::Num(Box::new(move |env: &Env| read_num(env, slot))),
            FieldType::Date => Typed::Date(Box::new(move |env: &Env| match env.app.get(slot) {
                Some(FieldValue::Date(d)) => V::Date(*d),
                _ => V::Unknown,
            })),
            FieldType::Text | FieldType::OneOf(_) => Typed::Text(StrOperand::Field(slot)),
        })
    }

    /// A definition is compiled in place, so it costs nothing extra at run time and the
    /// inputs it reads count as read by the condition that uses it.
    fn definition(&mut self, name: &'s str, source: &'s str) -> Result<Typed, ExprError> {
        if self.expanding.contains(&name) {
            return err(format!("the definition `{name}` uses itself"));
        }
        let ast = cel::parser::Parser::new()
            .parse(source)
            .map_err(|_| ExprError {
                line: 0,
                message: format!("the definition `{name}` does not parse"),
            })?;
        self.expanding.push(name);
        let typed = self.expr(&ast).map_err(|e| ExprError {
            line: 0,
            message: format!("in the definition `{name}`: {}", e.message),
        });
        self.expanding.pop();
        typed
    }

    fn expr(&mut self, e: &IdedExpr) -> Result<Typed, ExprError> {
        match &e.expr {
            Expr::Literal(lit) => match lit {
                LiteralValue::Boolean(b) => {
                    let b = *b.inner();
                    Ok(Typed::Bool(Box::new(move |_: &Env| V::Bool(b))))
                }
                LiteralValue::Int(i) => Ok(num_const(*i.inner() as f64)),
                LiteralValue::UInt(u) => Ok(num_const(*u.inner() as f64)),
                LiteralValue::Double(d) => Ok(num_const(*d.inner())),
                LiteralValue::String(s) => Ok(Typed::Text(StrOperand::Lit(s.inner().to_owned()))),
                LiteralValue::Null => err(
                    "`null` is not a value in rules: use `has(...)` to ask whether an input is known",
                ),
                LiteralValue::Bytes(_) => err("bytes are not a value in rules"),
            },
            Expr::Select(sel) if sel.test => self.has(sel),
            Expr::Ident(_) | Expr::Select(_) => {
                let path = dotted(e).ok_or(ExprError {
                    line: 0,
                    message: "only input names can be selected from".into(),
                })?;
                self.field(&path)
            }
            Expr::List(list) => list_literal(list),
            Expr::Call(call) => {
                if let Some(target) = &call.target {
                    return err(format!(
                        "methods such as `.{}()` are not supported; `{}` is called as `{}(...)`",
                        call.func_name,
                        dotted(target).unwrap_or_default(),
                        call.func_name
                    ));
                }
                self.call(&call.func_name, &call.args)
            }
            Expr::Comprehension(_) => {
                err("list macros (all, exists, map, filter) are not supported in rules")
            }
            Expr::Map(_) | Expr::Struct(_) => {
                err("map and message literals are not supported in rules")
            }
            Expr::Unspecified => err("an empty expression"),
        }
    }

    /// `has(a.b)`: whether an input is known; never unknown itself.
    fn has(&mut self, sel: &SelectExpr) -> Result<Typed, ExprError> {
        let path = dotted(&sel.operand)
            .map(|p| format!("{p}.{}", sel.field))
            .ok_or(ExprError {
                line: 0,
                message: "`has()` takes an input name such as `has(family.children)`".into(),
            })?;
        let Some(slot) = field_index(&path) else {
            return err(format!(
                "`{path}` is not an input of the application schema"
            ));
        };
        self.use_field(slot);
        Ok(Typed::Bool(Box::new(move |env: &Env| {
            V::Bool(env.app.get(slot).is_some())
        })))
    }

    fn bool_arg(&mut self, e: &IdedExpr, what: &str) -> Result<Node, ExprError> {
        match self.expr(e)? {
            Typed::Bool(n) => Ok(n),
            other => err(format!(
                "{what} needs a boolean, but `{}` is {}",
                show(e),
                other.name()
            )),
        }
    }

    fn num_arg(&mut self, e: &IdedExpr, what: &str) -> Result<Node, ExprError> {
        match self.expr(e)? {
            Typed::Num(n) => Ok(n),
            other => err(format!(
                "{what} needs a number, but `{}` is {}",
                show(e),
                other.name()
            )),
        }
    }

    fn date_arg(&mut self, e: &IdedExpr, what: &str) -> Result<Node, ExprError> {
        match self.expr(e)? {
            Typed::Date(n) => Ok(n),
            other => err(format!(
                "{what} needs a date, but `{}` is {}",
                show(e),
                other.name()
            )),
        }
    }

    /// A call or an operator: compiled by the family it belongs to.
    fn call(&mut self, name: &str, args: &[IdedExpr]) -> Result<Typed, ExprError> {
        match name {
            op::LOGICAL_AND | op::LOGICAL_OR | op::LOGICAL_NOT | op::CONDITIONAL => {
                self.logic(name, args)
            }
            op::NEGATE | op::ADD | op::SUBSTRACT | op::MULTIPLY | op::DIVIDE | "min" | "max" => {
                self.arithmetic(name, args)
            }
            op::LESS
            | op::LESS_EQUALS
            | op::GREATER
            | op::GREATER_EQUALS
            | op::EQUALS
            | op::NOT_EQUALS => {
                arity(name, args, 2)?;
                self.comparison(name, &args[0], &args[1])
            }
            "years_between" | "months_between" | "add_months" | "date" => self.dates(name, args),
            "param" | "sum_first" => self.parameters(name, args),
            op::IN => self.in_list(args),
            "cefr" => self.cefr(args),
            other => unknown_function(other),
        }
    }

    /// Kleene's `&&` and `||`, `!`, and `? :`.
    fn logic(&mut self, name: &str, args: &[IdedExpr]) -> Result<Typed, ExprError> {
        match name {
            op::LOGICAL_AND | op::LOGICAL_OR => {
                arity(name, args, 2)?;
                let a = self.bool_arg(&args[0], "`&&` / `||`")?;
                let b = self.bool_arg(&args[1], "`&&` / `||`")?;
                let and = name == op::LOGICAL_AND;
                Ok(Typed::Bool(Box::new(move |env: &Env| {
                    // Kleene logic: a decisive operand wins over an unknown one.
                    let x = a(env);
                    if x == V::Bool(!and) {
                        return x;
                    }
                    let y = b(env);
                    if y == V::Bool(!and) {
                        return y;
                    }
                    if x == V::Unknown || y == V::Unknown {
                        V::Unknown
                    } else {
                        V::Bool(and)
                    }
                })))
            }
            op::LOGICAL_NOT => {
                arity(name, args, 1)?;
                let a = self.bool_arg(&args[0], "`!`")?;
                Ok(Typed::Bool(Box::new(move |env: &Env| match a(env) {
                    V::Bool(b) => V::Bool(!b),
                    _ => V::Unknown,
                })))
            }
            op::CONDITIONAL => {
                arity(name, args, 3)?;
                let c = self.bool_arg(&args[0], "the condition of `? :`")?;
                let (t, f) = (self.expr(&args[1])?, self.expr(&args[2])?);
                let pick = move |c: Node, t: Node, f: Node| -> Node {
                    Box::new(move |env: &Env| match c(env) {
                        V::Bool(true) => t(env),
                        V::Bool(false) => f(env),
                        _ => V::Unknown,
                    })
                };
                match (t, f) {
                    (Typed::Bool(t), Typed::Bool(f)) => Ok(Typed::Bool(pick(c, t, f))),
                    (Typed::Num(t), Typed::Num(f)) => Ok(Typed::Num(pick(c, t, f))),
                    (Typed::Date(t), Typed::Date(f)) => Ok(Typed::Date(pick(c, t, f))),
                    (t, f) => err(format!(
                        "both branches of `? :` must have the same type (booleans, numbers or dates), found {} and {}",
                        t.name(),
                        f.name()
                    )),
                }
            }
            _ => unknown_function(name),
        }
    }

    /// Unary `-`, `+ - * /` (a result that is not finite is unknown), `min` and `max`.
    fn arithmetic(&mut self, name: &str, args: &[IdedExpr]) -> Result<Typed, ExprError> {
        match name {
            op::NEGATE => {
                arity(name, args, 1)?;
                let a = self.num_arg(&args[0], "`-`")?;
                Ok(Typed::Num(Box::new(move |env: &Env| match a(env) {
                    V::Num(x) => V::Num(-x),
                    _ => V::Unknown,
                })))
            }
            op::ADD | op::SUBSTRACT | op::MULTIPLY | op::DIVIDE => {
                arity(name, args, 2)?;
                let a = self.num_arg(&args[0], "arithmetic")?;
                let b = self.num_arg(&args[1], "arithmetic")?;
                let f: fn(f64, f64) -> f64 = match name {
                    op::ADD => |x, y| x + y,
                    op::SUBSTRACT => |x, y| x - y,
                    op::MULTIPLY => |x, y| x * y,
                    _ => |x, y| x / y,
                };
                Ok(Typed::Num(Box::new(move |env: &Env| {
                    match (a(env), b(env)) {
                        (V::Num(x), V::Num(y)) => {
                            let r = f(x, y);
                            // Division by zero has no legal meaning: it is not known.
                            if r.is_finite() { V::Num(r) } else { V::Unknown }
                        }
                        _ => V::Unknown,
                    }
                })))
            }
            "min" | "max" => {
                arity(name, args, 2)?;
                let a = self.num_arg(&args[0], name)?;
                let b = self.num_arg(&args[1], name)?;
                let is_min = name == "min";
                Ok(Typed::Num(Box::new(move |env: &Env| {
                    match (a(env), b(env)) {
                        (V::Num(x), V::Num(y)) => V::Num(if is_min { x.min(y) } else { x.max(y) }),
                        _ => V::Unknown,
                    }
                })))
            }
            _ => unknown_function(name),
        }
    }

    /// Whole years or months between dates, `add_months` and `date("…")` literals.
    fn dates(&mut self, name: &str, args: &[IdedExpr]) -> Result<Typed, ExprError> {
        match name {
            "years_between" | "months_between" => {
                arity(name, args, 2)?;
                let a = self.date_arg(&args[0], name)?;
                let b = self.date_arg(&args[1], name)?;
                let years = name == "years_between";
                Ok(Typed::Num(Box::new(move |env: &Env| {
                    match (a(env), b(env)) {
                        (V::Date(x), V::Date(y)) => {
                            let m = whole_months_between(x, y);
                            V::Num(if years { (m / 12) as f64 } else { m as f64 })
                        }
                        _ => V::Unknown,
                    }
                })))
            }
            "add_months" => {
                arity(name, args, 2)?;
                let d = self.date_arg(&args[0], "`add_months`")?;
                let n = self.num_arg(&args[1], "`add_months`")?;
                Ok(Typed::Date(Box::new(move |env: &Env| {
                    match (d(env), n(env)) {
                        (V::Date(d), V::Num(n)) if n.fract() == 0.0 && n.abs() <= 12_000.0 => d
                            .checked_add(jiff::Span::new().months(n as i64))
                            .map_or(V::Unknown, V::Date),
                        _ => V::Unknown,
                    }
                })))
            }
            "date" => {
                arity(name, args, 1)?;
                let Expr::Literal(LiteralValue::String(text)) = &args[0].expr else {
                    return err("`date` takes a literal text such as `date(\"2025-04-01\")`");
                };
                let Some(d) = parse_date(text.inner()) else {
                    return err(format!(
                        "`{}` is not a calendar date YYYY-MM-DD",
                        text.inner()
                    ));
                };
                Ok(Typed::Date(Box::new(move |_: &Env| V::Date(d))))
            }
            _ => unknown_function(name),
        }
    }

    /// `param("…")` and `sum_first` over a list parameter.
    fn parameters(&mut self, name: &str, args: &[IdedExpr]) -> Result<Typed, ExprError> {
        match name {
            "param" => {
                arity(name, args, 1)?;
                let Expr::Literal(LiteralValue::String(pname)) = &args[0].expr else {
                    return err(
                        "`param` takes the parameter's name as a text, e.g. `param(\"income.minimum\")`",
                    );
                };
                let pname = pname.inner();
                let Some(slot) = self.scope.params.iter().position(|(n, _)| n == pname) else {
                    return err(format!(
                        "there is no parameter `{pname}` in this rule set's `parameters`"
                    ));
                };
                self.use_param(slot);
                Ok(match self.scope.params[slot].1 {
                    ParamKind::Number => {
                        Typed::Num(Box::new(move |env: &Env| match env.params.get(slot) {
                            Some(ParamRef::Number(x)) => V::Num(*x),
                            _ => V::Unknown,
                        }))
                    }
                    ParamKind::List => Typed::Param(slot),
                })
            }
            "sum_first" => {
                arity(name, args, 2)?;
                let Typed::Param(slot) = self.expr(&args[0])? else {
                    return err(
                        "`sum_first` takes a list parameter first, e.g. `sum_first(param(\"children\"), family.children)`",
                    );
                };
                let n = self.num_arg(&args[1], "`sum_first`")?;
                Ok(Typed::Num(Box::new(move |env: &Env| {
                    match (env.params.get(slot), n(env)) {
                        (Some(ParamRef::List(list)), V::Num(count)) if count >= 0.0 => {
                            V::Num(sum_first(list, count as usize))
                        }
                        _ => V::Unknown,
                    }
                })))
            }
            _ => unknown_function(name),
        }
    }

    /// `in`: a text input in a list of texts, or a number in a list of numbers.
    fn in_list(&mut self, args: &[IdedExpr]) -> Result<Typed, ExprError> {
        arity(op::IN, args, 2)?;
        let needle = self.expr(&args[0])?;
        let hay = self.expr(&args[1])?;
        match (needle, hay) {
            (Typed::Text(StrOperand::Field(slot)), Typed::Texts(list)) => {
                check_allowed(slot, &list)?;
                Ok(Typed::Bool(Box::new(move |env: &Env| {
                    match text_field(env.app, slot) {
                        Some(s) => V::Bool(list.iter().any(|x| x == s)),
                        None => V::Unknown,
                    }
                })))
            }
            (Typed::Num(n), Typed::Nums(list)) => {
                Ok(Typed::Bool(Box::new(move |env: &Env| match n(env) {
                    V::Num(x) => V::Bool(list.contains(&x)),
                    _ => V::Unknown,
                })))
            }
            _ => err(
                "`in` takes a text input and a list of texts, or a number and a list of numbers",
            ),
        }
    }

    /// `cefr`: a language level, from an input or a literal, as a rank.
    fn cefr(&mut self, args: &[IdedExpr]) -> Result<Typed, ExprError> {
        arity("cefr", args, 1)?;
        let Typed::Text(operand) = self.expr(&args[0])? else {
            return err("`cefr` takes a language-level input or a literal level such as \"B1\"");
        };
        match operand {
            StrOperand::Lit(level) => match cefr_rank(&level) {
                Some(r) => Ok(num_const(r)),
                None => err(format!(
                    "`{level}` is not a CEFR level ({})",
                    CEFR_LEVELS.join(", ")
                )),
            },
            StrOperand::Field(slot) => {
                if FIELDS[slot].ty != FieldType::OneOf(CEFR_LEVELS) {
                    return err(format!(
                        "`cefr` needs a language-level input; `{}` is not one",
                        FIELDS[slot].path
                    ));
                }
                Ok(Typed::Num(Box::new(move |env: &Env| {
                    match text_field(env.app, slot).and_then(cefr_rank) {
                        Some(r) => V::Num(r),
                        None => V::Unknown,
                    }
                })))
            }
        }
    }

    fn comparison(&mut self, name: &str, a: &IdedExpr, b: &IdedExpr) -> Result<Typed, ExprError> {
        use std::cmp::Ordering;
        let test: fn(Ordering) -> bool = match name {
            op::LESS => |o| o == Ordering::Less,
            op::LESS_EQUALS => |o| o != Ordering::Greater,
            op::GREATER => |o| o == Ordering::Greater,
            op::GREATER_EQUALS => |o| o != Ordering::Less,
            op::EQUALS => |o| o == Ordering::Equal,
            _ => |o| o != Ordering::Equal,
        };
        let equality = name == op::EQUALS || name == op::NOT_EQUALS;
        let (x, y) = (self.expr(a)?, self.expr(b)?);
        let node: Node = match (x, y) {
            (Typed::Num(x), Typed::Num(y)) => Box::new(move |env: &Env| match (x(env), y(env)) {
                (V::Num(p), V::Num(q)) => {
                    p.partial_cmp(&q).map_or(V::Unknown, |o| V::Bool(test(o)))
                }
                _ => V::Unknown,
            }),
            (Typed::Date(x), Typed::Date(y)) => Box::new(move |env: &Env| match (x(env), y(env)) {
                (V::Date(p), V::Date(q)) => V::Bool(test(p.cmp(&q))),
                _ => V::Unknown,
            }),
            (Typed::Bool(x), Typed::Bool(y)) if equality => {
                Box::new(move |env: &Env| match (x(env), y(env)) {
                    (V::Bool(p), V::Bool(q)) => V::Bool(test(p.cmp(&q))),
                    _ => V::Unknown,
                })
            }
            (Typed::Text(x), Typed::Text(y)) if equality => match (x, y) {
                (StrOperand::Field(slot), StrOperand::Lit(lit))
                | (StrOperand::Lit(lit), StrOperand::Field(slot)) => {
                    check_allowed(slot, std::slice::from_ref(&lit))?;
                    Box::new(move |env: &Env| match text_field(env.app, slot) {
                        Some(s) => V::Bool(test(s.cmp(lit.as_str()))),
                        None => V::Unknown,
                    })
                }
                (StrOperand::Field(p), StrOperand::Field(q)) => Box::new(move |env: &Env| {
                    match (text_field(env.app, p), text_field(env.app, q)) {
                        (Some(s), Some(t)) => V::Bool(test(s.cmp(t))),
                        _ => V::Unknown,
                    }
                }),
                (StrOperand::Lit(_), StrOperand::Lit(_)) => {
                    return err("comparing two literal texts is always the same: remove it");
                }
            },
            (x, y) => {
                return err(format!(
                    "`{}` cannot compare {} with {}",
                    pretty_fn(name),
                    x.name(),
                    y.name()
                ));
            }
        };
        Ok(Typed::Bool(node))
    }
}

/// Refuses a call with another number of arguments than `n`.
fn arity(name: &str, args: &[IdedExpr], n: usize) -> Result<(), ExprError> {
    if args.len() == n {
        Ok(())
    } else {
        err(format!(
            "`{}` takes {n} argument(s), {} given",
            pretty_fn(name),
            args.len()
        ))
    }
}

fn unknown_function<T>(name: &str) -> Result<T, ExprError> {
    err(format!(
        "`{}` is not a function rules may use (param, has, sum_first, min, max, years_between, months_between, date, cefr)",
        pretty_fn(name)
    ))
}

/// A list literal: only texts or only numbers, the right-hand side of `in`.
fn list_literal(list: &ListExpr) -> Result<Typed, ExprError> {
    let mut texts = Vec::new();
    let mut nums = Vec::new();
    for item in &list.elements {
        match &item.expr {
            Expr::Literal(LiteralValue::String(t)) => texts.push(t.inner().to_owned()),
            Expr::Literal(LiteralValue::Int(i)) => nums.push(*i.inner() as f64),
            Expr::Literal(LiteralValue::UInt(u)) => nums.push(*u.inner() as f64),
            Expr::Literal(LiteralValue::Double(d)) => nums.push(*d.inner()),
            _ => return err("list items must be literal numbers or texts"),
        }
    }
    if !texts.is_empty() && !nums.is_empty() {
        return err("a list must hold only texts or only numbers");
    }
    Ok(if nums.is_empty() {
        Typed::Texts(texts)
    } else {
        Typed::Nums(nums)
    })
}

fn num_const(x: f64) -> Typed {
    Typed::Num(Box::new(move |_: &Env| V::Num(x)))
}

/// A literal compared with a closed-list field must be one of its values: a typo
/// such as `"extention"` would otherwise silently never match.
fn check_allowed(slot: usize, literals: &[String]) -> Result<(), ExprError> {
    if let FieldType::OneOf(allowed) = FIELDS[slot].ty {
        for lit in literals {
            if !allowed.contains(&lit.as_str()) {
                return err(format!(
                    "`{}` can never be \"{lit}\": its values are {}",
                    FIELDS[slot].path,
                    allowed.join(", ")
                ));
            }
        }
    }
    Ok(())
}

/// `none` is 0, A1 is 1 … C2 is 6.
fn cefr_rank(level: &str) -> Option<f64> {
    CEFR_LEVELS
        .iter()
        .position(|l| *l == level)
        .map(|i| i as f64)
}

/// The first `n` amounts of a tiered list; past its end the last tier repeats
/// ("each further child").
pub fn sum_first(list: &[f64], n: usize) -> f64 {
    let Some(last) = list.last() else { return 0.0 };
    let within: f64 = list.iter().take(n).sum();
    within + n.saturating_sub(list.len()) as f64 * last
}

/// Completed months from `from` to `to` (negative when `to` is earlier).
pub fn whole_months_between(from: Date, to: Date) -> i64 {
    let mut months =
        (to.year() as i64 - from.year() as i64) * 12 + (to.month() as i64 - from.month() as i64);
    if months > 0 && to.day() < from.day() {
        months -= 1;
    } else if months < 0 && to.day() > from.day() {
        months += 1;
    }
    months
}

fn pretty_fn(name: &str) -> String {
    name.trim_matches(|c| c == '_' || c == '@' || c == '!')
        .replace("_", " ")
        .trim()
        .to_owned()
}

fn show(e: &IdedExpr) -> String {
    dotted(e).unwrap_or_else(|| "this operand".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(src: &str, input: serde_json::Value) -> V {
        let params = [
            ("min".to_owned(), ParamKind::Number),
            ("tiers".to_owned(), ParamKind::List),
        ];
        let c = compile(src, &Scope::new(&params, &[]))
            .unwrap_or_else(|e| panic!("{src}: {}", e.message));
        let app = Application::from_json(&input).unwrap();
        let tiers = [500.0, 400.0, 300.0];
        let env = Env {
            app: &app,
            params: &[ParamRef::Number(1600.0), ParamRef::List(tiers.into())],
            today: Date::constant(2025, 5, 1),
        };
        c.eval(&env)
    }

    fn compile_err(src: &str) -> String {
        let params = [("min".to_owned(), ParamKind::Number)];
        compile(src, &Scope::new(&params, &[])).unwrap_err().message
    }

    const PAY: &str = "evidence.incomes.monthly_gross_pay_avg_eur";

    #[test]
    fn compares_numbers_with_parameters() {
        let src = format!("{PAY} >= param(\"min\")");
        assert_eq!(
            run(
                &src,
                json!({"evidence": {"incomes": {"monthly_gross_pay_avg_eur": 1600}}})
            ),
            V::Bool(true)
        );
        assert_eq!(
            run(
                &src,
                json!({"evidence": {"incomes": {"monthly_gross_pay_avg_eur": 1599.99}}})
            ),
            V::Bool(false)
        );
        assert_eq!(run(&src, json!({})), V::Unknown);
    }

    #[test]
    fn and_or_are_kleene() {
        let and = format!("evidence.sis.alert && {PAY} > 0.0");
        assert_eq!(
            run(&and, json!({"evidence": {"sis": {"alert": false}}})),
            V::Bool(false)
        );
        assert_eq!(
            run(&and, json!({"evidence": {"sis": {"alert": true}}})),
            V::Unknown
        );
        let or = format!("evidence.sis.alert || {PAY} > 0.0");
        assert_eq!(
            run(&or, json!({"evidence": {"sis": {"alert": true}}})),
            V::Bool(true)
        );
        assert_eq!(
            run(&or, json!({"evidence": {"sis": {"alert": false}}})),
            V::Unknown
        );
        assert_eq!(run("!evidence.sis.alert", json!({})), V::Unknown);
    }

    #[test]
    fn has_is_never_unknown() {
        assert_eq!(run("has(family.children)", json!({})), V::Bool(false));
        assert_eq!(
            run("has(family.children)", json!({"family": {"children": 0}})),
            V::Bool(true)
        );
    }

    #[test]
    fn ternary_text_dates_and_functions() {
        assert_eq!(
            run(
                "application.kind == \"extension\"",
                json!({"application": {"kind": "extension"}})
            ),
            V::Bool(true)
        );
        assert_eq!(
            run(
                "application.kind in [\"first\", \"extension\"]",
                json!({"application": {"kind": "first"}})
            ),
            V::Bool(true)
        );
        assert_eq!(
            run(
                "years_between(applicant.date_of_birth, decision_date) >= 18.0",
                json!({"applicant": {"date_of_birth": "2007-05-02"}})
            ),
            V::Bool(false)
        );
        assert_eq!(
            run(
                "years_between(applicant.date_of_birth, decision_date) >= 18",
                json!({"applicant": {"date_of_birth": "2007-05-01"}})
            ),
            V::Bool(true)
        );
        assert_eq!(
            run(
                "sum_first(param(\"tiers\"), family.children)",
                json!({"family": {"children": 5}})
            ),
            V::Num(500.0 + 400.0 + 300.0 + 300.0 + 300.0)
        );
        assert_eq!(
            run(
                "family.adults >= 2 ? 1.0 : 2.0",
                json!({"family": {"adults": 1}})
            ),
            V::Num(2.0)
        );
        assert_eq!(
            run(
                "cefr(evidence.language.finnish_speaking) >= cefr(\"B1\")",
                json!({"evidence": {"language": {"finnish_speaking": "B2"}}})
            ),
            V::Bool(true)
        );
        assert_eq!(
            run("family.adults / 0 > 1", json!({"family": {"adults": 1}})),
            V::Unknown
        );
        assert_eq!(
            run(
                "application.employment.employer_id == evidence.permits.previous_employer_id",
                json!({"application": {"employment": {"employer_id": "1234567-1"}}, "evidence": {"permits": {"previous_employer_id": "1234567-1"}}})
            ),
            V::Bool(true)
        );
    }

    #[test]
    fn rejects_bad_expressions_with_reasons() {
        assert!(compile_err("applicant.shoe_size > 40").contains("not an input"));
        assert!(compile_err("family.adults >= ").contains("does not parse"));
        assert!(compile_err("family.adults && true").contains("needs a boolean"));
        assert!(compile_err("param(\"nope\") > 1").contains("no parameter `nope`"));
        assert!(compile_err("application.kind == \"extention\"").contains("can never be"));
        assert!(compile_err("applicant.date_of_birth > 3").contains("cannot compare"));
        assert!(compile_err("size(family.adults) > 1").contains("not a function"));
    }

    #[test]
    fn month_arithmetic_counts_completed_months() {
        let d = |y, m, dd| Date::constant(y, m, dd);
        assert_eq!(whole_months_between(d(2024, 1, 31), d(2024, 2, 29)), 0);
        assert_eq!(whole_months_between(d(2024, 1, 15), d(2024, 2, 15)), 1);
        assert_eq!(whole_months_between(d(2000, 2, 29), d(2018, 2, 28)), 215);
    }
}
