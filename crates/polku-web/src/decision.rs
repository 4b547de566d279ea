//! A decision as a decision reads: the outcome and the permit in the headline, its number,
//! the date and time in Finland, the authority and who decided (the machine, or an official
//! by name and role), the hearing that preceded a refusal, and how to seek a remedy (a
//! request for rectification of an automated decision, HL 53 f §; an appeal to an
//! administrative court, UlkL 190 §). The page and the PDF both read it.

use polku_access::Role;
use polku_audit::Actor;
use polku_cases::{Decision, DecisionOutcome, Permit};

use crate::WebState;
use crate::i18n::Tr;
use crate::plain;

/// The remedy a decision's reader has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Remedy {
    /// An automated decision: a request for rectification, free of charge, decided by a person.
    Rectification,
    /// A person's decision: an appeal to an administrative court.
    Appeal,
}

/// What the top of a decided case says.
pub(crate) struct DecisionNotice {
    pub(crate) headline: String,
    /// `grant` or `refuse`, for the page's colour.
    pub(crate) outcome: &'static str,
    pub(crate) number: String,
    pub(crate) decided_at: String,
    pub(crate) authority: String,
    pub(crate) decided_by: String,
    /// The applicant the decision is for, by name (and in their own script).
    pub(crate) applicant: Option<String>,
    pub(crate) applicant_native: Option<(String, String)>,
    pub(crate) matter: String,
    /// The permit granted: its kind in words and its validity.
    pub(crate) permit: Option<String>,
    /// What happens with the card, for a residence permit.
    pub(crate) card: Option<String>,
    /// The applicant's hearing before the decision.
    pub(crate) hearing: Option<String>,
    pub(crate) remedy_text: String,
}

/// The decision a decided case rests on: the last one that decides (an automated grant, or
/// a person's grant or refusal), never the machine's findings for a person.
pub(crate) fn final_decision(decisions: &[Decision]) -> Option<&Decision> {
    decisions.iter().rev().find(|d| {
        d.is_automated_decision()
            || (!d.automated
                && matches!(d.outcome, DecisionOutcome::Grant | DecisionOutcome::Refuse))
    })
}

/// The notice of `d` in the reader's language.
pub(crate) async fn notice(
    state: &WebState,
    tr: Tr,
    case: &polku_cases::Case,
    d: &Decision,
    permit: Option<&Permit>,
) -> Result<DecisionNotice, polku_access::AccessError> {
    let grant = d.outcome == DecisionOutcome::Grant;
    let matter = crate::names::matter_title(state, &case.matter, tr);
    let decided_by = match &d.decided_by {
        _ if d.automated => tr.t("notice-by-machine"),
        Actor::User(id) => match state.access().principal_of(*id).await? {
            Some(p) => {
                let role = tr.t(match p.role {
                    Role::LegalOfficer => "notice-role-legal-officer",
                    _ => "notice-role-case-handler",
                });
                match p.organisation {
                    Some(org) => format!("{}, {role}, {org}", p.name),
                    None => format!("{}, {role}", p.name),
                }
            }
            None => tr.t("audit-actor-removed"),
        },
        _ => tr.t("notice-role-case-handler"),
    };
    let person = state
        .people
        .as_ref()
        .and_then(|p| p.person(&case.applicant_id));
    let day = |text: &str| {
        text.parse::<jiff::civil::Date>()
            .map_or_else(|_| text.to_owned(), |d| plain::date(d, tr.lang))
    };
    let permit_line = permit.filter(|_| grant).map(|p| {
        let kind = p
            .kind
            .as_deref()
            .and_then(|k| tr.try_t(&format!("notice-permit-kind-{k}")))
            .unwrap_or_else(|| tr.t("case-permit"));
        let validity = match &p.valid_until {
            Some(until) => tr.t_with(
                "case-permit-valid",
                &[
                    ("from", day(&p.valid_from).as_str()),
                    ("until", day(until).as_str()),
                ],
            ),
            None => tr.t1("case-permit-indefinite", "from", &day(&p.valid_from)),
        };
        format!("{kind}. {validity}")
    });
    let card = permit
        .filter(|p| grant && p.kind.as_deref().is_some_and(|k| k != "citizenship"))
        .map(|_| tr.t("notice-card"));
    let hearing = d.trace.hearing().map(|h| match h.answered_at {
        Some(at) => tr.t_with(
            "notice-heard",
            &[
                ("asked", plain::micros(h.asked_at, tr.lang).as_str()),
                ("answered", plain::micros(at, tr.lang).as_str()),
            ],
        ),
        None => tr.t_with(
            "notice-heard-no-answer",
            &[
                ("asked", plain::micros(h.asked_at, tr.lang).as_str()),
                ("due", plain::date(h.due, tr.lang).as_str()),
            ],
        ),
    });
    let remedy = if d.automated {
        Remedy::Rectification
    } else {
        Remedy::Appeal
    };
    Ok(DecisionNotice {
        headline: tr.t1(
            if grant {
                "notice-headline-grant"
            } else {
                "notice-headline-refuse"
            },
            "matter",
            &matter,
        ),
        outcome: if grant { "grant" } else { "refuse" },
        number: d.id.to_string(),
        decided_at: plain::micros(d.decided_at, tr.lang),
        authority: tr.t("notice-authority"),
        decided_by,
        applicant: person.as_ref().map(|p| p.name.clone()),
        applicant_native: person
            .as_ref()
            .and_then(|p| Some((p.native.clone()?, p.native_lang.clone()))),
        matter,
        permit: permit_line,
        card,
        hearing,
        remedy_text: tr.t(match remedy {
            Remedy::Rectification => "notice-remedy-rectification",
            Remedy::Appeal => "notice-remedy-appeal",
        }),
    })
}
