//! The words of every notification, in Finnish, Swedish and English: a `match` on the kind
//! and the language, so a kind without a text in each language does not compile.
//!
//! A notification tells that something happened and where to read it. It never says what a
//! decision or a request says: email is not a secure channel.

use jiff::Timestamp;
use jiff::civil::Date;
use polku_rules::Lang;

/// Why a person is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A decision was made (by the machine or a person).
    Decided,
    /// Evidence was asked for.
    EvidenceRequested,
    /// A person means to refuse and asks the applicant to be heard first.
    HearingRequested,
    /// An answer's deadline is near and nothing has been answered.
    DeadlineNear,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 4] = [
        NoticeKind::Decided,
        NoticeKind::EvidenceRequested,
        NoticeKind::HearingRequested,
        NoticeKind::DeadlineNear,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::Decided => "decided",
            NoticeKind::EvidenceRequested => "evidence_requested",
            NoticeKind::HearingRequested => "hearing_requested",
            NoticeKind::DeadlineNear => "deadline_near",
        }
    }

    pub fn from_code(code: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// What it is about, for a list of notifications sent ("Decision made").
    pub fn title(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (NoticeKind::Decided, Lang::Fi) => "Päätös tehty",
            (NoticeKind::Decided, Lang::Sv) => "Beslut fattat",
            (NoticeKind::Decided, Lang::En) => "Decision made",
            (NoticeKind::EvidenceRequested, Lang::Fi) => "Lisäselvityspyyntö",
            (NoticeKind::EvidenceRequested, Lang::Sv) => "Begäran om tilläggsutredning",
            (NoticeKind::EvidenceRequested, Lang::En) => "Request for more information",
            (NoticeKind::HearingRequested, Lang::Fi) => "Kuuleminen ennen päätöstä",
            (NoticeKind::HearingRequested, Lang::Sv) => "Hörande före beslut",
            (NoticeKind::HearingRequested, Lang::En) => "Hearing before a decision",
            (NoticeKind::DeadlineNear, Lang::Fi) => "Muistutus määräajasta",
            (NoticeKind::DeadlineNear, Lang::Sv) => "Påminnelse om tidsfristen",
            (NoticeKind::DeadlineNear, Lang::En) => "Deadline reminder",
        }
    }
}

/// A notification's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub body: String,
}

/// What the words name.
#[derive(Debug, Clone)]
pub struct About<'a> {
    /// The matter's title in the letter's language.
    pub matter: &'a str,
    /// The day the application was filed.
    pub filed: Date,
    /// When it happened.
    pub at: Timestamp,
    /// The last day to answer (requests and reminders).
    pub due: Option<Date>,
    /// The case's page in the e-service.
    pub link: &'a str,
}

/// The authority, as it signs.
pub fn authority(lang: Lang) -> &'static str {
    match lang {
        Lang::Fi => "Maahanmuuttovirasto",
        Lang::Sv => "Migrationsverket",
        Lang::En => "Finnish Immigration Service",
    }
}

/// A day as the language writes it: 7.12.2026, or 7 December 2026.
pub fn day(d: Date, lang: Lang) -> String {
    let mut out = String::new();
    polku_rules::write_date(d, lang, &mut out);
    out
}

/// A moment in Finland's time as the language writes it: 7.12.2026 klo 14.05.
pub fn moment(at: Timestamp, lang: Lang) -> String {
    let mut out = String::new();
    polku_rules::write_moment(
        at.to_zoned(polku_cases::finland()).datetime(),
        lang,
        &mut out,
    );
    out
}

/// The words for `kind` in `lang`.
pub fn letter(kind: NoticeKind, lang: Lang, about: &About<'_>) -> Letter {
    let matter = about.matter;
    let filed = day(about.filed, lang);
    let due = about.due.map(|d| day(d, lang)).unwrap_or_default();
    let when = moment(about.at, lang);
    let link = about.link;
    let (subject, text) = match (kind, lang) {
        (NoticeKind::Decided, Lang::Fi) => (
            "Hakemukseesi on tehty päätös",
            format!(
                "Hakemukseesi ({matter}, jätetty {filed}) on tehty päätös {when}.\n\n\
                 Lue päätös ja ohjeet oikaisuvaatimuksesta asiointipalvelussa:\n{link}"
            ),
        ),
        (NoticeKind::Decided, Lang::Sv) => (
            "Ett beslut har fattats om din ansökan",
            format!(
                "Ett beslut om din ansökan ({matter}, lämnad {filed}) fattades {when}.\n\n\
                 Läs beslutet och anvisningen om begäran om omprövning i e-tjänsten:\n{link}"
            ),
        ),
        (NoticeKind::Decided, Lang::En) => (
            "A decision has been made on your application",
            format!(
                "A decision on your application ({matter}, filed {filed}) was made {when}.\n\n\
                 Read the decision, and how to ask for it to be rectified, in the e-service:\n{link}"
            ),
        ),
        (NoticeKind::EvidenceRequested, Lang::Fi) => (
            "Hakemukseesi tarvitaan lisäselvitystä",
            format!(
                "Tarvitsemme lisäselvitystä hakemukseesi ({matter}, jätetty {filed}). \
                 Vastaa viimeistään {due}.\n\n\
                 Asiointipalvelussa näet, mitä tarvitaan ja miksi, ja voit vastata ja liittää tiedostoja:\n{link}"
            ),
        ),
        (NoticeKind::EvidenceRequested, Lang::Sv) => (
            "Din ansökan behöver en tilläggsutredning",
            format!(
                "Vi behöver en tilläggsutredning till din ansökan ({matter}, lämnad {filed}). \
                 Svara senast {due}.\n\n\
                 I e-tjänsten ser du vad som behövs och varför, och där kan du svara och bifoga filer:\n{link}"
            ),
        ),
        (NoticeKind::EvidenceRequested, Lang::En) => (
            "More information is needed for your application",
            format!(
                "We need more information for your application ({matter}, filed {filed}). \
                 Please answer by {due}.\n\n\
                 The e-service shows what is needed and why, and you can answer and attach files there:\n{link}"
            ),
        ),
        (NoticeKind::HearingRequested, Lang::Fi) => (
            "Sinua kuullaan ennen päätöstä",
            format!(
                "Aiomme tehdä hakemukseesi ({matter}, jätetty {filed}) kielteisen päätöksen. \
                 Ennen päätöstä voit kertoa, mitä ajattelet sen perusteista (hallintolaki 34 §). \
                 Vastaa viimeistään {due}.\n\n\
                 Perusteet ja vastauslomake ovat asiointipalvelussa:\n{link}"
            ),
        ),
        (NoticeKind::HearingRequested, Lang::Sv) => (
            "Du hörs före beslutet",
            format!(
                "Vi avser att avslå din ansökan ({matter}, lämnad {filed}). \
                 Före beslutet kan du säga vad du anser om grunderna (förvaltningslagen 34 §). \
                 Svara senast {due}.\n\n\
                 Grunderna och svarsformuläret finns i e-tjänsten:\n{link}"
            ),
        ),
        (NoticeKind::HearingRequested, Lang::En) => (
            "You are heard before a decision",
            format!(
                "We intend to refuse your application ({matter}, filed {filed}). \
                 Before the decision you may say what you think of the grounds \
                 (Administrative Procedure Act, section 34). Please answer by {due}.\n\n\
                 The grounds and the form to answer are in the e-service:\n{link}"
            ),
        ),
        (NoticeKind::DeadlineNear, Lang::Fi) => (
            "Muistutus: vastaa viimeistään {due}",
            format!(
                "Pyysimme sinulta vastausta hakemukseesi ({matter}, jätetty {filed}). \
                 Vastaa viimeistään {due}. Jos et vastaa, asia ratkaistaan niillä tiedoilla, jotka meillä on.\n\n\
                 Vastaa asiointipalvelussa:\n{link}"
            ),
        ),
        (NoticeKind::DeadlineNear, Lang::Sv) => (
            "Påminnelse: svara senast {due}",
            format!(
                "Vi har bett dig svara om din ansökan ({matter}, lämnad {filed}). \
                 Svara senast {due}. Om du inte svarar avgörs ärendet med de uppgifter vi har.\n\n\
                 Svara i e-tjänsten:\n{link}"
            ),
        ),
        (NoticeKind::DeadlineNear, Lang::En) => (
            "Reminder: please answer by {due}",
            format!(
                "We asked you for an answer about your application ({matter}, filed {filed}). \
                 Please answer by {due}. If you do not answer, the matter is decided on the information we have.\n\n\
                 Answer in the e-service:\n{link}"
            ),
        ),
    };
    let footer = match lang {
        Lang::Fi => {
            "Tämä viesti on lähetetty automaattisesti, eikä siihen voi vastata. \
                     Viestissä ei kerrota asian sisältöä: lue se kirjauduttuasi palveluun."
        }
        Lang::Sv => {
            "Detta meddelande har skickats automatiskt och du kan inte svara på det. \
                     Meddelandet berättar inte vad ärendet innehåller: läs det när du har loggat in i tjänsten."
        }
        Lang::En => {
            "This message was sent automatically; replies are not read. \
                     It does not say what the matter contains: read that after signing in to the service."
        }
    };
    Letter {
        subject: subject.replace("{due}", &due),
        body: format!("{text}\n\n{footer}\n\n{}", authority(lang)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn about() -> About<'static> {
        About {
            matter: "Työntekijän jatkolupa",
            filed: jiff::civil::date(2026, 12, 3),
            at: "2026-12-07T12:05:00Z".parse().unwrap(),
            due: Some(jiff::civil::date(2026, 12, 21)),
            link: "https://polku.example/my/cases/0193",
        }
    }

    #[test]
    fn every_kind_in_every_language_names_the_matter_the_link_and_the_day() {
        for kind in NoticeKind::ALL {
            for lang in Lang::ALL {
                let l = letter(kind, lang, &about());
                assert!(
                    l.body.contains("Työntekijän jatkolupa"),
                    "{kind:?} {lang:?}"
                );
                assert!(l.body.contains("https://polku.example/my/cases/0193"));
                assert!(l.body.ends_with(authority(lang)));
                let filed = if lang == Lang::En {
                    "3 December 2026"
                } else {
                    "3.12.2026"
                };
                assert!(l.body.contains(filed), "{kind:?} {lang:?}: {}", l.body);
                if kind != NoticeKind::Decided {
                    let due = if lang == Lang::En {
                        "21 December 2026"
                    } else {
                        "21.12.2026"
                    };
                    assert!(l.body.contains(due), "{kind:?} {lang:?}");
                }
                // No code-like string, no unfilled placeholder.
                for leak in ["{", "}", "_", "null"] {
                    assert!(
                        !l.subject.contains(leak) && !l.body.contains(leak),
                        "{leak} in {l:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_time_is_finlands_and_written_per_language() {
        // 12:05 UTC is 14:05 in Helsinki in December.
        let at = about().at;
        assert_eq!(moment(at, Lang::Fi), "7.12.2026 klo 14.05");
        assert_eq!(moment(at, Lang::Sv), "7.12.2026 kl. 14.05");
        assert_eq!(moment(at, Lang::En), "7 December 2026 at 14:05");
        let decided = letter(NoticeKind::Decided, Lang::Fi, &about());
        assert!(
            decided.body.contains("7.12.2026 klo 14.05"),
            "{}",
            decided.body
        );
    }

    #[test]
    fn the_reminder_says_the_day_in_its_subject() {
        let l = letter(NoticeKind::DeadlineNear, Lang::Sv, &about());
        assert_eq!(l.subject, "Påminnelse: svara senast 21.12.2026");
    }
}
