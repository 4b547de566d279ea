//! The API's decision PDFs, typeset by the pages (`polku_web::decision_pdf_for`): the API
//! knows no typesetting and the pages know no API, so the binary joins them here.

use polku_server::{DecisionDocuments, DocumentError, PdfFuture};

/// The pages' typesetting, lent to the API.
pub struct PagesTypeset(pub polku_web::WebState);

impl DecisionDocuments for PagesTypeset {
    fn decision_pdf<'a>(
        &'a self,
        case: &'a polku_cases::Case,
        lang: polku_rules::Lang,
        for_applicant: bool,
    ) -> PdfFuture<'a> {
        Box::pin(async move {
            polku_web::decision_pdf_for(&self.0, case, lang, for_applicant)
                .await
                .map_err(|e| match e {
                    polku_web::PdfFailure::NoFonts => DocumentError::Unavailable(
                        "the fonts for decision PDFs are not installed on this server (fonts-noto-core, fonts-noto-cjk)".to_owned(),
                    ),
                    polku_web::PdfFailure::Other(why) => DocumentError::Failed(why),
                })
        })
    }
}
