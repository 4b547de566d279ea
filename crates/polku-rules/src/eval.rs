//! Evaluating a rule set against an application, and the trace that explains it.

use std::borrow::Cow;

use jiff::civil::Date;
use serde::Serialize;

use crate::expr::{Env, ParamRef, V};
use crate::lang::Lang;
use crate::model::{Condition, GrantTerms, Outcome, ParamValue, RuleSet, Version};
use crate::schema::{Application, FIELDS, FieldValue, number_json, register_of};

/// A condition's finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    NotMet,
    /// An input it needs is missing: never counted as not met.
    Unknown,
    /// An exception in the law applies, so the condition does not bind.
    Exempt,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::NotMet => "not_met",
            Status::Unknown => "unknown",
            Status::Exempt => "exempt",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "met" => Some(Status::Met),
            "not_met" => Some(Status::NotMet),
            "unknown" => Some(Status::Unknown),
            "exempt" => Some(Status::Exempt),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    #[error("no version of rule set {rule_set} is in force on {at} (versions: {versions})")]
    NoVersionInForce {
        rule_set: String,
        at: Date,
        versions: String,
    },
}

/// The result of evaluating one application: cheap to make; render a [`Trace`] from it
/// when a person or a record needs the explanation.
#[derive(Debug)]
pub struct Evaluation<'r> {
    pub rule_set: &'r RuleSet,
    pub version: &'r Version,
    pub at: Date,
    pub outcome: Outcome,
    /// Each condition in force, by index into `rule_set.conditions`, with its finding.
    pub findings: Vec<(usize, Status)>,
    params: &'r [ParamRef],
}

impl RuleSet {
    /// The version in force on `at`.
    pub fn version_at(&self, at: Date) -> Result<(usize, &Version), EvalError> {
        self.versions
            .iter()
            .enumerate()
            .find(|(_, v)| v.covers(at))
            .ok_or_else(|| EvalError::NoVersionInForce {
                rule_set: self.id.clone(),
                at,
                versions: self
                    .versions
                    .iter()
                    .map(|v| match v.to {
                        Some(to) => format!("{} {}–{}", v.id, v.from, to),
                        None => format!("{} from {}", v.id, v.from),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    fn params_at(&self, at: Date) -> &[ParamRef] {
        let i = self.segments.partition_point(|s| s.from <= at);
        match i.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(s) => &s.params,
            None => &[],
        }
    }

    /// What a grant of `app` (evaluated on `at`) creates, valid from `from`: the kind (the
    /// first `kind_when` case that holds, else `kind`) and the last day — `validity` from
    /// `from`, cut at the earliest `not_after` date that is known. `None` for a rule set
    /// that grants nothing.
    pub fn grant_terms(&self, app: &Application, at: Date, from: Date) -> Option<GrantTerms> {
        let g = self.grants.as_ref()?;
        let env = Env {
            app,
            params: self.params_at(at),
            today: at,
        };
        let kind = g
            .kind_when
            .iter()
            .find(|case| matches!(case.when.eval(&env), V::Bool(true)))
            .map_or_else(|| g.kind.clone(), |case| case.kind.clone());
        let by_validity = g.validity_months.and_then(|months| {
            from.checked_add(jiff::Span::new().months(i64::from(months)))
                .and_then(|d| d.yesterday())
                .ok()
        });
        let limit = g
            .not_after
            .iter()
            .filter_map(|l| match l.date.eval(&env) {
                V::Date(d) => Some(d),
                _ => None,
            })
            .min();
        let valid_until = match (by_validity, limit) {
            (Some(v), Some(l)) => Some(v.min(l)),
            (None, Some(l)) => Some(l),
            (v, None) => v,
        };
        Some(GrantTerms { kind, valid_until })
    }

    /// Evaluates `app` under the version in force on `at`.
    pub fn evaluate<'r>(
        &'r self,
        app: &Application,
        at: Date,
    ) -> Result<Evaluation<'r>, EvalError> {
        let (vi, version) = self.version_at(at)?;
        let params = self.params_at(at);
        let env = Env {
            app,
            params,
            today: at,
        };
        let mut findings = Vec::with_capacity(self.conditions.len());
        let (mut any_not_met, mut any_unknown) = (false, false);
        for (i, cond) in self.conditions.iter().enumerate() {
            if !cond.in_version(vi) {
                continue;
            }
            let status = condition_status(cond, &env);
            any_not_met |= status == Status::NotMet;
            any_unknown |= status == Status::Unknown;
            findings.push((i, status));
        }
        // A condition not met outweighs one unknown: more evidence cannot turn the
        // application into a grant, so a person decides.
        let outcome = if any_not_met {
            self.automation.any_not_met
        } else if any_unknown {
            self.automation.any_unknown
        } else {
            self.automation.all_met
        };
        Ok(Evaluation {
            rule_set: self,
            version,
            at,
            outcome,
            findings,
            params,
        })
    }
}

fn condition_status(cond: &Condition, env: &Env) -> Status {
    // "Does not apply if…": when the exception holds, the condition does not bind,
    // whatever its own test says.
    let exception = cond.unless.as_ref().map(|u| u.when.eval(env));
    if exception == Some(V::Bool(true)) {
        return Status::Exempt;
    }
    match cond.when.eval(env) {
        V::Bool(true) => Status::Met,
        // A failing condition whose exception is not known could still be exempt.
        V::Bool(false) if exception == Some(V::Unknown) => Status::Unknown,
        V::Bool(false) => Status::NotMet,
        _ => Status::Unknown,
    }
}

/// One input as the decision read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputUsed<'a> {
    pub path: &'static str,
    /// `null` when not known.
    pub value: Option<Cow<'a, FieldValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<Cow<'a, str>>,
}

/// A parameter value used, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParameterUsed<'a> {
    pub name: Cow<'a, str>,
    pub value: serde_json::Value,
    pub in_force_from: String,
    pub source: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<Cow<'a, str>>,
}

/// One condition in the trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionTrace<'a> {
    pub id: Cow<'a, str>,
    pub status: Status,
    pub legal_basis: Cow<'a, str>,
    pub text: Cow<'a, str>,
    pub explanation: String,
    pub inputs: Vec<InputUsed<'a>>,
    pub parameters: Vec<Cow<'a, str>>,
}

/// The full, serialisable result: same application, date and rule files give the same
/// bytes. It borrows from the rule set and the application; `Cow` lets a stored trace
/// be read back owned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace<'a> {
    pub rule_set: Cow<'a, str>,
    pub title: Cow<'a, str>,
    pub law: Cow<'a, str>,
    pub version: Cow<'a, str>,
    pub evaluated_on: String,
    pub language: Lang,
    pub outcome: Outcome,
    pub outcome_text: Cow<'a, str>,
    pub parameters: Vec<ParameterUsed<'a>>,
    pub conditions: Vec<ConditionTrace<'a>>,
}

impl Evaluation<'_> {
    pub fn status_of(&self, condition_id: &str) -> Option<Status> {
        self.findings
            .iter()
            .find(|(i, _)| self.rule_set.conditions[*i].id == condition_id)
            .map(|(_, s)| *s)
    }

    /// Renders the explanation of every condition into `out`, one line each: the cheap
    /// form used where only the text is needed.
    pub fn render_explanations(&self, app: &Application, lang: Lang, out: &mut String) {
        let env = Env {
            app,
            params: self.params,
            today: self.at,
        };
        for (i, status) in &self.findings {
            self.explain_condition(&self.rule_set.conditions[*i], *status, &env, lang, out);
            out.push('\n');
        }
    }

    fn explain_condition(
        &self,
        cond: &Condition,
        status: Status,
        env: &Env,
        lang: Lang,
        out: &mut String,
    ) {
        match (status, &cond.unless) {
            (Status::Exempt, Some(ex)) => ex.text[lang.index()].render(env, lang, out),
            _ => cond.explain[lang.index()].render(env, lang, out),
        }
        if status == Status::Unknown {
            let missing: Vec<&str> = cond
                .fields
                .iter()
                .filter(|f| env.app.get(**f).is_none())
                .map(|f| FIELDS[*f].path)
                .collect();
            if !missing.is_empty() {
                out.push(' ');
                out.push_str(match lang {
                    Lang::Fi => "Puuttuvat tiedot: ",
                    Lang::Sv => "Uppgifter som saknas: ",
                    Lang::En => "Missing information: ",
                });
                out.push_str(&missing.join(", "));
                out.push('.');
            }
        }
    }

    /// The full trace in `lang`.
    pub fn trace<'a>(&'a self, app: &'a Application, lang: Lang) -> Trace<'a> {
        let rs = self.rule_set;
        let env = Env {
            app,
            params: self.params,
            today: self.at,
        };
        let mut used_params: Vec<usize> = Vec::new();
        let conditions = self
            .findings
            .iter()
            .map(|(i, status)| {
                let cond = &rs.conditions[*i];
                let mut explanation = String::with_capacity(160);
                self.explain_condition(cond, *status, &env, lang, &mut explanation);
                for p in &cond.params {
                    if !used_params.contains(p) {
                        used_params.push(*p);
                    }
                }
                ConditionTrace {
                    id: Cow::Borrowed(&cond.id),
                    status: *status,
                    legal_basis: Cow::Borrowed(&cond.legal_basis),
                    text: Cow::Borrowed(cond.text.get(lang)),
                    explanation,
                    inputs: cond.fields.iter().map(|f| input_used(app, *f)).collect(),
                    parameters: cond
                        .params
                        .iter()
                        .map(|p| Cow::Borrowed(rs.parameters[*p].name.as_str()))
                        .collect(),
                }
            })
            .collect();
        used_params.sort_unstable();
        let parameters = used_params
            .iter()
            .filter_map(|p| {
                let param = &rs.parameters[*p];
                let (from, value) = param.value_at(self.at)?;
                Some(ParameterUsed {
                    name: Cow::Borrowed(&param.name),
                    value: match value {
                        ParamValue::Number(x) => number_json(*x),
                        ParamValue::List(l) => l.iter().map(|x| number_json(*x)).collect(),
                    },
                    in_force_from: from.to_string(),
                    source: Cow::Borrowed(&param.source),
                    unit: param.unit.as_ref().map(|u| Cow::Borrowed(u.get(lang))),
                })
            })
            .collect();
        Trace {
            rule_set: Cow::Borrowed(&rs.id),
            title: Cow::Borrowed(rs.title.get(lang)),
            law: Cow::Borrowed(&rs.law),
            version: Cow::Borrowed(&self.version.id),
            evaluated_on: self.at.to_string(),
            language: lang,
            outcome: self.outcome,
            outcome_text: Cow::Borrowed(outcome_text(self.outcome, lang)),
            parameters,
            conditions,
        }
    }
}

fn input_used(app: &Application, slot: usize) -> InputUsed<'_> {
    let path = FIELDS[slot].path;
    let provenance = register_of(path)
        .and_then(|r| app.provenance(r.key))
        .filter(|_| app.get(slot).is_some());
    InputUsed {
        path,
        value: app.get(slot).map(Cow::Borrowed),
        source: provenance
            .and_then(|p| p.source.as_deref())
            .map(Cow::Borrowed),
        request_id: provenance
            .and_then(|p| p.request_id.as_deref())
            .map(Cow::Borrowed),
        fetched_at: provenance
            .and_then(|p| p.fetched_at.as_deref())
            .map(Cow::Borrowed),
    }
}

/// What an outcome means, in words for the applicant and the handler.
pub fn outcome_text(outcome: Outcome, lang: Lang) -> &'static str {
    match (outcome, lang) {
        (Outcome::Grant, Lang::Fi) => {
            "Kaikki edellytykset täyttyvät. Hakemus voidaan hyväksyä automaattisesti."
        }
        (Outcome::Grant, Lang::Sv) => {
            "Alla förutsättningar uppfylls. Ansökan kan beviljas automatiskt."
        }
        (Outcome::Grant, Lang::En) => {
            "All conditions are met. The application can be granted automatically."
        }
        (Outcome::Refer, Lang::Fi) => {
            "Kaikki edellytykset eivät täyty. Virkailija ratkaisee hakemuksen; nämä havainnot ovat koneen ehdotus."
        }
        (Outcome::Refer, Lang::Sv) => {
            "Alla förutsättningar uppfylls inte. En handläggare avgör ansökan; dessa iakttagelser är maskinens förslag."
        }
        (Outcome::Refer, Lang::En) => {
            "Not every condition is met. A case handler decides the application; these findings are the machine's proposal."
        }
        (Outcome::RequestEvidence, Lang::Fi) => {
            "Kaikkia tarvittavia tietoja ei ole. Puuttuvia tietoja pyydetään."
        }
        (Outcome::RequestEvidence, Lang::Sv) => {
            "Alla uppgifter som behövs finns inte. De uppgifter som saknas begärs in."
        }
        (Outcome::RequestEvidence, Lang::En) => {
            "Some information needed is missing. The missing information is requested."
        }
    }
}

/// Status words for people.
pub fn status_text(status: Status, lang: Lang) -> &'static str {
    match (status, lang) {
        (Status::Met, Lang::Fi) => "täyttyy",
        (Status::Met, Lang::Sv) => "uppfylls",
        (Status::Met, Lang::En) => "met",
        (Status::NotMet, Lang::Fi) => "ei täyty",
        (Status::NotMet, Lang::Sv) => "uppfylls inte",
        (Status::NotMet, Lang::En) => "not met",
        (Status::Unknown, Lang::Fi) => "ei tiedossa",
        (Status::Unknown, Lang::Sv) => "okänt",
        (Status::Unknown, Lang::En) => "not known",
        (Status::Exempt, Lang::Fi) => "poikkeus",
        (Status::Exempt, Lang::Sv) => "undantag",
        (Status::Exempt, Lang::En) => "exception applies",
    }
}
