//! The decision as a PDF to keep: the same notice the page shows, typeset by `polku-pdf` in
//! the Noto fonts the system's package manager installed (`fonts-noto-core`,
//! `fonts-noto-cjk`; `.ci/run` installs them). The fonts are read once, on the first PDF;
//! a server without them answers 503 with what to install.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use polku_cases::CaseError;
use polku_pdf::{Block, Fonts, Notice, Script};
use serde_json::json;
use uuid::Uuid;

use crate::WebState;
use crate::decision::DecisionNotice;
use crate::frame::{PageError, error_page, internal};
use crate::guard::ApplicantSession;
use crate::i18n::Tr;
use crate::names::Reader;

/// Where Debian's Noto fonts are.
const NOTO: &str = "/usr/share/fonts/truetype/noto";
const NOTO_CJK: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
/// NotoSansCJK's collection holds Japanese, Korean, Simplified Chinese, … in that order.
const CJK_SIMPLIFIED_CHINESE: u32 = 2;
/// Where the base font is looked for when Noto is missing.
const DEJAVU: &str = "/usr/share/fonts/truetype/dejavu";

/// The fonts, read on first use and kept for the process.
#[derive(Default)]
pub struct PdfFonts(OnceLock<Option<Arc<Fonts>>>);

impl PdfFonts {
    fn get(&self) -> Option<Arc<Fonts>> {
        self.0.get_or_init(|| load().map(Arc::new)).clone()
    }
}

/// The base font (Noto Sans, else DejaVu Sans) and every script font there is.
fn load() -> Option<Fonts> {
    let read = |path: &Path| std::fs::read(path).ok();
    let noto = Path::new(NOTO);
    let base = read(&noto.join("NotoSans-Regular.ttf"))
        .map(|r| (r, read(&noto.join("NotoSans-Bold.ttf"))))
        .or_else(|| {
            let dejavu = Path::new(DEJAVU);
            read(&dejavu.join("DejaVuSans.ttf"))
                .map(|r| (r, read(&dejavu.join("DejaVuSans-Bold.ttf"))))
        });
    let Some((regular, bold)) = base else {
        tracing::warn!("no font for decision PDFs: install fonts-noto-core and fonts-noto-cjk");
        return None;
    };
    let mut fonts = match Fonts::new((regular, 0), bold.map(|b| (b, 0))) {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(error = %e, "the base font for decision PDFs does not read");
            return None;
        }
    };
    for (script, file) in [
        (Script::Arabic, "NotoSansArabic-Regular.ttf"),
        (Script::Ethiopic, "NotoSansEthiopic-Regular.ttf"),
        (Script::Thai, "NotoSansThai-Regular.ttf"),
        (Script::Devanagari, "NotoSansDevanagari-Regular.ttf"),
        (Script::Bengali, "NotoSansBengali-Regular.ttf"),
    ] {
        if let Some(data) = read(&noto.join(file)) {
            fonts = match fonts.clone().with_script(script, data, 0) {
                Ok(f) => f,
                Err(e) => {
                    tracing::warn!(error = %e, "a script font does not read");
                    fonts
                }
            };
        }
    }
    if let Some(data) = read(Path::new(NOTO_CJK))
        && let Ok(f) = fonts
            .clone()
            .with_script(Script::Han, data, CJK_SIMPLIFIED_CHINESE)
    {
        fonts = f;
    }
    let missing: Vec<Script> = Script::ALL.into_iter().filter(|s| !fonts.has(*s)).collect();
    if !missing.is_empty() {
        tracing::warn!(
            ?missing,
            "names in these scripts are left out of decision PDFs: install fonts-noto-core and fonts-noto-cjk"
        );
    }
    Some(fonts)
}

/// The notice as the PDF's blocks: the same words as the page, in the reader's language.
pub(crate) fn blocks(tr: Tr, n: &DecisionNotice, reasons: &crate::pages::DecisionRow) -> Notice {
    let mut blocks = vec![
        Block::Title(n.headline.clone()),
        Block::Paragraph(n.authority.clone()),
    ];
    let mut fact = |label: &str, value: &str| {
        blocks.push(Block::Fact {
            label: tr.t(label),
            value: value.to_owned(),
        });
    };
    if let Some(name) = &n.applicant {
        fact("notice-applicant", name);
        if let Some((native, _)) = &n.applicant_native {
            fact("notice-applicant-native", native);
        }
    }
    fact("notice-matter", &n.matter);
    if let Some(p) = &n.permit {
        fact("case-permit", p);
    }
    fact("notice-number", &n.number);
    fact("notice-decided-at", &n.decided_at);
    fact("notice-decided-by", &n.decided_by);
    if let Some(h) = &n.hearing {
        fact("notice-hearing", h);
    }
    if let Some(c) = &n.card {
        blocks.push(Block::Paragraph(c.clone()));
    }
    blocks.push(Block::Heading(tr.t("notice-reasons")));
    if let Some(notice) = &reasons.notice {
        blocks.push(Block::Paragraph(notice.clone()));
    }
    if let Some(r) = &reasons.reasons {
        blocks.push(Block::Paragraph(r.clone()));
    }
    for c in &reasons.conditions {
        blocks.push(Block::Fact {
            label: format!("{} – {}", c.text, c.status_label),
            // The values read, each with its register and when it was fetched.
            value: {
                let mut v = c.explanation.clone();
                for i in &c.inputs {
                    v.push(' ');
                    v.push_str(i);
                    v.push('.');
                }
                format!("{v} {}: {}", tr.t("case-legal-basis"), c.legal_basis)
            },
        });
    }
    blocks.push(Block::Heading(tr.t("notice-remedy")));
    blocks.push(Block::Paragraph(n.remedy_text.clone()));
    Notice {
        title: n.headline.clone(),
        lang: tr.lang.code().to_owned(),
        author: n.authority.clone(),
        blocks,
    }
}

/// The PDF of a decided case's decision, for `reader`; `None` if the case has no decision.
pub(crate) async fn decision_pdf(
    state: &WebState,
    tr: Tr,
    case: &polku_cases::Case,
    reader: Reader,
) -> Result<Option<Vec<u8>>, PdfFailure> {
    let decisions = state
        .store
        .decisions(case.id)
        .await
        .map_err(PdfFailure::other)?;
    let permit = state
        .store
        .permit(case.id)
        .await
        .map_err(PdfFailure::other)?;
    let Some(d) = crate::decision::final_decision(&decisions) else {
        return Ok(None);
    };
    let n = crate::decision::notice(state, tr, case, d, permit.as_ref())
        .await
        .map_err(PdfFailure::other)?;
    let row = crate::pages::decision_row(tr, d, reader);
    let notice = blocks(tr, &n, &row);
    let fonts = state.pdf_fonts.clone();
    let bytes = tokio::task::spawn_blocking(move || {
        let fonts = fonts.get().ok_or(PdfFailure::NoFonts)?;
        polku_pdf::render(&notice, &fonts).map_err(PdfFailure::other)
    })
    .await
    .map_err(PdfFailure::other)??;
    Ok(Some(bytes))
}

/// Why no PDF was made.
#[derive(Debug)]
pub enum PdfFailure {
    /// The fonts are not installed (fonts-noto-core; Noto Sans or DejaVu Sans at least).
    NoFonts,
    Other(String),
}

/// A decided case's decision as a PDF in `lang`, as the applicant (`for_applicant`) or an
/// official reads it; `None` when the case has no decision yet. For the API, through the
/// binary.
pub async fn decision_pdf_for(
    state: &WebState,
    case: &polku_cases::Case,
    lang: polku_rules::Lang,
    for_applicant: bool,
) -> Result<Option<Vec<u8>>, PdfFailure> {
    let reader = if for_applicant {
        Reader::Applicant
    } else {
        Reader::Official
    };
    decision_pdf(state, Tr { lang }, case, reader).await
}

impl PdfFailure {
    fn other(e: impl std::fmt::Display) -> PdfFailure {
        PdfFailure::Other(e.to_string())
    }
}

/// The PDF as a download named after the decision.
pub(crate) fn pdf_response(bytes: Vec<u8>, case: Uuid) -> Response {
    let mut response = ([(header::CONTENT_TYPE, "application/pdf")], bytes).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"decision-{case}.pdf\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// `GET /my/cases/{id}/decision.pdf`: the applicant's decision to keep.
pub async fn my_decision_pdf(
    State(state): State<WebState>,
    UrlPath(id): UrlPath<String>,
    ApplicantSession { v, session, person }: ApplicantSession,
) -> Result<Response, PageError> {
    let not_found = || PageError::from(error_page(&v, StatusCode::NOT_FOUND, "error-not-found"));
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let case = match state.store.case(id).await {
        Ok(c) if c.applicant_id == person => c,
        Ok(_) | Err(CaseError::NotFound(_)) => return Err(not_found()),
        Err(e) => return Err(internal(&v, &e).into()),
    };
    crate::pages::log_read(
        &state,
        &session,
        &person,
        "the applicant reads their own case (e-service)",
        json!({"read": "decision pdf", "case": id}),
    )
    .await
    .map_err(|e| internal(&v, &e))?;
    match decision_pdf(&state, v.tr, &case, Reader::Applicant).await {
        Ok(Some(bytes)) => Ok(pdf_response(bytes, id)),
        Ok(None) => Err(not_found()),
        Err(PdfFailure::NoFonts) => Err(error_page(
            &v,
            StatusCode::SERVICE_UNAVAILABLE,
            "notice-pdf-unavailable",
        )
        .into()),
        Err(PdfFailure::Other(e)) => Err(internal(&v, &e).into()),
    }
}
