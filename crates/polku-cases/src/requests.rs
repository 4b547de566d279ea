//! What the authority asks of an applicant, and their answers: a request for evidence (the
//! machine's, when a condition the applicant answers is unknown, or a handler's) and a
//! hearing before a refusal (Administrative Procedure Act 34 §: the draft grounds, with a
//! deadline). The applicant answers in the e-service with text and attachments, and the
//! answer goes to a person: nothing in it is read as a register's fact (the machine fetches
//! those again whenever it evaluates).
//!
//! An attachment's type is what its content shows, never its name or the browser's claim;
//! its size and count are limited; it is stored in the database, so every instance serves it.

use jiff::civil::Date;
use serde::Serialize;
use sha2::Digest;
use sqlx::Row;
use uuid::Uuid;

use crate::case::{CaseState, EventKind};
use crate::cases::{Actor, CaseError, load_case, transition_in};
use crate::handle::{Cases, Tx};
use polku_store::{CorruptRow, codec, now_micros};

/// Days the applicant has to answer the machine's request for evidence.
pub const MACHINE_ANSWER_DAYS: i16 = 14;
/// The fewest and the most days a handler may give for an answer.
pub const ANSWER_DAYS: std::ops::RangeInclusive<i16> = 7..=60;
/// The largest attachment, in bytes (10 MiB).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// The most attachments in one answer.
pub const MAX_ATTACHMENTS: usize = 5;
/// The longest answer text and the longest request text, in characters.
pub const MAX_ANSWER_CHARS: usize = 4000;
/// The longest file name kept, in characters.
const MAX_FILE_NAME_CHARS: usize = 120;

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// Evidence a condition needs.
    Evidence,
    /// The applicant's answer to the draft grounds of a refusal (HL 34 §).
    Hearing,
}

impl RequestKind {
    pub fn code(self) -> &'static str {
        match self {
            RequestKind::Evidence => "evidence",
            RequestKind::Hearing => "hearing",
        }
    }

    fn parse(code: &str) -> Option<RequestKind> {
        [RequestKind::Evidence, RequestKind::Hearing]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// The file types an applicant may attach, as their content shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum MediaType {
    Pdf,
    Jpeg,
    Png,
}

impl MediaType {
    pub const ALL: [MediaType; 3] = [MediaType::Pdf, MediaType::Jpeg, MediaType::Png];

    /// The IANA media type, as stored and served.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
        }
    }

    fn parse(mime: &str) -> Option<MediaType> {
        MediaType::ALL.into_iter().find(|m| m.mime() == mime)
    }

    /// The type `content` is, if it is one of ours (by its content alone).
    pub fn sniff(content: &[u8]) -> Option<MediaType> {
        let kind = infer::get(content)?;
        MediaType::parse(kind.mime_type())
    }
}

/// Why an attachment is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("`{name}` is empty")]
    Empty { name: String },
    #[error("`{name}` is {size} bytes; the largest allowed is {MAX_ATTACHMENT_BYTES}")]
    TooLarge { name: String, size: usize },
    #[error("`{name}` is not a PDF, JPEG or PNG file by its content")]
    NotAllowedType { name: String },
    #[error("an answer takes at most {MAX_ATTACHMENTS} attachments")]
    TooMany,
}

/// A file as the applicant sent it.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub content: Vec<u8>,
}

/// A file checked: its name made safe to show, and its type from its content.
#[derive(Debug, Clone)]
pub struct CheckedUpload {
    pub file_name: String,
    pub media_type: MediaType,
    pub content: Vec<u8>,
}

/// Checks one file: not empty, not too large, and a PDF, JPEG or PNG by its content. The
/// name keeps its last path part, without control characters, at most 120 characters.
pub fn check_upload(upload: Upload) -> Result<CheckedUpload, AttachmentError> {
    let file_name = clean_file_name(&upload.file_name);
    if upload.content.is_empty() {
        return Err(AttachmentError::Empty { name: file_name });
    }
    if upload.content.len() > MAX_ATTACHMENT_BYTES {
        return Err(AttachmentError::TooLarge {
            name: file_name,
            size: upload.content.len(),
        });
    }
    let Some(media_type) = MediaType::sniff(&upload.content) else {
        return Err(AttachmentError::NotAllowedType { name: file_name });
    };
    Ok(CheckedUpload {
        file_name,
        media_type,
        content: upload.content,
    })
}

fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') {
        "attachment".to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// What a handler asks: the kind, their words, the conditions it concerns, and the days
/// the applicant has.
#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub kind: RequestKind,
    pub what: &'a str,
    pub conditions: &'a [String],
    pub days: i16,
}

/// An attached file as listed (its content is read on its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentInfo {
    pub id: Uuid,
    pub file_name: String,
    pub media_type: MediaType,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: i64,
}

/// The applicant's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub at: i64,
    pub text: String,
    pub attachments: Vec<AttachmentInfo>,
}

/// A request as stored, with its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InfoRequest {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: RequestKind,
    /// The machine, or the handler who asks (their name is the contact).
    #[serde(serialize_with = "as_text")]
    pub asked_by: Actor,
    pub asked_at: i64,
    /// The last day to answer, in Finland.
    pub due: Date,
    /// The rule set's conditions it concerns (ids).
    pub conditions: Vec<String>,
    /// The handler's words; `None` for the machine's request, stated from the conditions.
    pub what: Option<String>,
    pub answer: Option<Answer>,
}

impl InfoRequest {
    /// Whether the applicant may still answer: not answered yet. (An answer after the
    /// deadline is still taken while no decision is made: the case state says so.)
    pub fn is_open(&self) -> bool {
        self.answer.is_none()
    }
}

fn as_text<S: serde::Serializer>(a: &Actor, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(a)
}

/// A request waiting for its answer, as a reminder needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRequest {
    pub request: Uuid,
    pub case: Uuid,
    pub kind: RequestKind,
    pub due: Date,
}

/// A stored attachment, with its content.
#[derive(Debug, Clone)]
pub struct StoredAttachment {
    pub info: AttachmentInfo,
    pub request: Uuid,
    pub content: Vec<u8>,
}

/// Writes a request and moves the case to `to`, the answer due `days` from today.
pub(crate) async fn ask_in(
    tx: &mut Tx,
    case: Uuid,
    by: &Actor,
    new: &NewRequest<'_>,
    events: &mut Vec<crate::events::DomainEvent>,
) -> Result<Uuid, CaseError> {
    let due = crate::today_in_finland()
        .checked_add(jiff::Span::new().days(i64::from(new.days)))
        .unwrap_or(Date::MAX);
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO requests (id, case_id, kind, asked_by, asked_at, due, conditions, what) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.to_string())
    .bind(case.to_string())
    .bind(new.kind.code())
    .bind(by.to_string())
    .bind(now_micros())
    .bind(due.to_string())
    .bind(serde_json::to_string(new.conditions).unwrap_or_else(|_| "[]".to_owned()))
    .bind((!new.what.trim().is_empty()).then(|| new.what.trim().to_owned()))
    .execute(&mut **tx)
    .await?;
    let (to, kind) = match new.kind {
        RequestKind::Evidence => (CaseState::EvidenceRequested, EventKind::EvidenceRequested),
        RequestKind::Hearing => (CaseState::Hearing, EventKind::HearingRequested),
    };
    // The machine moves the case itself (the pipeline's steps); a person's request moves it here.
    if !matches!(by, Actor::Machine) {
        transition_in(tx, case, to, by, kind, Some(new.what.trim()), events).await?;
    }
    sqlx::query("UPDATE cases SET answer_due = $1 WHERE id = $2")
        .bind(due.to_string())
        .bind(case.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

/// The latest hearing of a case, as a decision's trace records it: when the applicant was
/// asked, by when, and whether and when they answered.
pub(crate) async fn hearing_record_in(
    tx: &mut Tx,
    case: Uuid,
) -> Result<Option<polku_decide::Hearing>, CaseError> {
    let row = sqlx::query(
        "SELECT id, asked_at, due, answered_at FROM requests WHERE case_id = $1 AND kind = 'hearing' ORDER BY asked_at DESC, id DESC LIMIT 1",
    )
    .bind(case.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        let id: String = r.try_get("id")?;
        let request = codec::id("requests", &id)?;
        let due: String = r.try_get("due")?;
        Ok(polku_decide::Hearing {
            request,
            asked_at: r.try_get("asked_at")?,
            due: due.parse().map_err(|e| corrupt(request, "due", e))?,
            answered_at: r.try_get("answered_at")?,
        })
    })
    .transpose()
}

#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    #[error("only the applicant of case {0} may answer its requests")]
    NotTheApplicant(Uuid),
    #[error("case {0} has no open request {1}")]
    NoOpenRequest(Uuid, Uuid),
    #[error("an answer needs text or an attachment")]
    Empty,
    #[error("an answer is at most {MAX_ANSWER_CHARS} characters")]
    TooLong,
    #[error(transparent)]
    Attachment(#[from] AttachmentError),
    #[error(transparent)]
    Case(#[from] CaseError),
}

impl From<sqlx::Error> for AnswerError {
    fn from(e: sqlx::Error) -> Self {
        AnswerError::Case(CaseError::from(e))
    }
}

impl Cases {
    /// The applicant answers an open request with text and attachments (each checked by
    /// [`check_upload`]). The case goes to a person: back to the handler who asked, or to
    /// the queue after the machine's request.
    pub async fn answer_request(
        &self,
        case: Uuid,
        request: Uuid,
        applicant_person: &str,
        text: &str,
        uploads: Vec<Upload>,
    ) -> Result<(), AnswerError> {
        let text = text.trim();
        if text.chars().count() > MAX_ANSWER_CHARS {
            return Err(AnswerError::TooLong);
        }
        if uploads.len() > MAX_ATTACHMENTS {
            return Err(AttachmentError::TooMany.into());
        }
        let files = uploads
            .into_iter()
            .map(check_upload)
            .collect::<Result<Vec<_>, _>>()?;
        if text.is_empty() && files.is_empty() {
            return Err(AnswerError::Empty);
        }
        let mut tx = self.begin_write().await?;
        let loaded = load_case(&mut tx, case).await?;
        if loaded.applicant_id != applicant_person {
            return Err(AnswerError::NotTheApplicant(case));
        }
        let open = sqlx::query(
            "SELECT kind, asked_by FROM requests WHERE id = $1 AND case_id = $2 AND answered_at IS NULL",
        )
        .bind(request.to_string())
        .bind(case.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let waiting = matches!(
            loaded.state,
            CaseState::EvidenceRequested | CaseState::Hearing
        );
        let Some(open) = open.filter(|_| waiting) else {
            return Err(AnswerError::NoOpenRequest(case, request));
        };
        let asked_by: String = open.try_get("asked_by")?;
        let asked_by: Actor = asked_by
            .parse()
            .map_err(|e: polku_audit::NotAnActor| corrupt(request, "asked_by", e))?;
        let now = now_micros();
        sqlx::query("UPDATE requests SET answered_at = $1, answer = $2 WHERE id = $3")
            .bind(now)
            .bind(text)
            .bind(request.to_string())
            .execute(&mut *tx)
            .await?;
        for f in &files {
            sqlx::query(
                "INSERT INTO attachments (id, request_id, case_id, file_name, media_type, size, sha256, content, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(Uuid::now_v7().to_string())
            .bind(request.to_string())
            .bind(case.to_string())
            .bind(&f.file_name)
            .bind(f.media_type.mime())
            .bind(f.content.len() as i64)
            .bind(hex(&sha2::Sha256::digest(&f.content)))
            .bind(f.content.as_slice())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let mut events = Vec::new();
        let person = Actor::Person(applicant_person.to_owned());
        transition_in(
            &mut tx,
            case,
            CaseState::Referred,
            &person,
            EventKind::Answered,
            None,
            &mut events,
        )
        .await?;
        // Back to the handler who asked; the machine's request goes to the queue.
        let assignee = match asked_by {
            Actor::User(_) => Some(asked_by.to_string()),
            _ => None,
        };
        sqlx::query("UPDATE cases SET answer_due = NULL, assigned_to = $1 WHERE id = $2")
            .bind(assignee)
            .bind(case.to_string())
            .execute(&mut *tx)
            .await?;
        crate::events::publish_in(&mut tx, self.dialect(), &events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The requests still waiting for an answer whose last day is from `from` to `to`
    /// (inclusive), of cases that still wait for it: what a reminder is sent for.
    pub async fn unanswered_requests_due(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<DueRequest>, CaseError> {
        let rows = sqlx::query(
            "SELECT r.id, r.case_id, r.kind, r.due FROM requests r JOIN cases c ON c.id = r.case_id
             WHERE r.answered_at IS NULL AND r.due >= $1 AND r.due <= $2
               AND c.state IN ('evidence_requested', 'hearing')
             ORDER BY r.due, r.id",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let id = read_uuid(r, "id")?;
                let kind: String = r.try_get("kind")?;
                let due: String = r.try_get("due")?;
                Ok(DueRequest {
                    request: id,
                    case: read_uuid(r, "case_id")?,
                    kind: RequestKind::parse(&kind).ok_or_else(|| corrupt(id, "kind", &kind))?,
                    due: due.parse().map_err(|e| corrupt(id, "due", e))?,
                })
            })
            .collect()
    }

    /// A case's requests, oldest first, each with its answer and the answer's attachments
    /// (without their content).
    pub async fn requests(&self, case: Uuid) -> Result<Vec<InfoRequest>, CaseError> {
        let rows = sqlx::query(
            "SELECT id, kind, asked_by, asked_at, due, conditions, what, answered_at, answer FROM requests WHERE case_id = $1 ORDER BY asked_at, id",
        )
        .bind(case.to_string())
        .fetch_all(self.db.pool())
        .await?;
        let files = sqlx::query(
            "SELECT id, request_id, file_name, media_type, size, sha256, uploaded_at FROM attachments WHERE case_id = $1 ORDER BY uploaded_at, id",
        )
        .bind(case.to_string())
        .fetch_all(self.db.pool())
        .await?;
        let mut attached: Vec<(Uuid, AttachmentInfo)> = files
            .iter()
            .map(|r| Ok((read_uuid(r, "request_id")?, attachment_info(r)?)))
            .collect::<Result<_, CaseError>>()?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let id = codec::id("requests", &id)?;
                let kind: String = r.try_get("kind")?;
                let asked_by: String = r.try_get("asked_by")?;
                let due: String = r.try_get("due")?;
                let conditions: String = r.try_get("conditions")?;
                let answered_at: Option<i64> = r.try_get("answered_at")?;
                let answer = match answered_at {
                    Some(at) => Some(Answer {
                        at,
                        text: r
                            .try_get::<Option<String>, _>("answer")?
                            .unwrap_or_default(),
                        attachments: take_attached(&mut attached, id),
                    }),
                    None => None,
                };
                Ok(InfoRequest {
                    id,
                    case_id: case,
                    kind: RequestKind::parse(&kind).ok_or_else(|| corrupt(id, "kind", &kind))?,
                    asked_by: asked_by
                        .parse()
                        .map_err(|e: polku_audit::NotAnActor| corrupt(id, "asked_by", e))?,
                    asked_at: r.try_get("asked_at")?,
                    due: due.parse().map_err(|e| corrupt(id, "due", e))?,
                    conditions: serde_json::from_str(&conditions)
                        .map_err(|e| corrupt(id, "conditions", e))?,
                    what: r.try_get("what")?,
                    answer,
                })
            })
            .collect()
    }

    /// One attachment of a case, with its content; `None` if the case has no such file.
    pub async fn attachment(
        &self,
        case: Uuid,
        attachment: Uuid,
    ) -> Result<Option<StoredAttachment>, CaseError> {
        let row = sqlx::query(
            "SELECT id, request_id, file_name, media_type, size, sha256, uploaded_at, content FROM attachments WHERE id = $1 AND case_id = $2",
        )
        .bind(attachment.to_string())
        .bind(case.to_string())
        .fetch_optional(self.db.pool())
        .await?;
        row.map(|r| {
            Ok(StoredAttachment {
                info: attachment_info(&r)?,
                request: read_uuid(&r, "request_id")?,
                content: r.try_get("content")?,
            })
        })
        .transpose()
    }
}

fn take_attached(attached: &mut Vec<(Uuid, AttachmentInfo)>, request: Uuid) -> Vec<AttachmentInfo> {
    let (mine, rest): (Vec<_>, Vec<_>) = attached.drain(..).partition(|(r, _)| *r == request);
    *attached = rest;
    mine.into_iter().map(|(_, a)| a).collect()
}

fn read_uuid(r: &sqlx::any::AnyRow, column: &'static str) -> Result<Uuid, CaseError> {
    let id: String = r.try_get("id")?;
    let text: String = r.try_get(column)?;
    Ok(codec::uuid("attachments", &id, column, &text)?)
}

fn attachment_info(r: &sqlx::any::AnyRow) -> Result<AttachmentInfo, CaseError> {
    let id: String = r.try_get("id")?;
    let media: String = r.try_get("media_type")?;
    let uuid = codec::id("attachments", &id)?;
    Ok(AttachmentInfo {
        id: uuid,
        file_name: r.try_get("file_name")?,
        media_type: MediaType::parse(&media)
            .ok_or_else(|| CorruptRow::new("attachments", &id, "media_type", &media))?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

fn corrupt(request: Uuid, column: &'static str, detail: impl std::fmt::Display) -> CaseError {
    CorruptRow::new("requests", request, column, detail).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
    ];

    fn upload(name: &str, content: &[u8]) -> Upload {
        Upload {
            file_name: name.to_owned(),
            content: content.to_vec(),
        }
    }

    #[test]
    fn the_type_is_the_contents_not_the_names() {
        assert_eq!(
            check_upload(upload("contract.pdf", PDF))
                .unwrap()
                .media_type,
            MediaType::Pdf
        );
        assert_eq!(
            check_upload(upload("scan.pdf", PNG)).unwrap().media_type,
            MediaType::Png
        );
        let script = upload("contract.pdf", b"<script>alert(1)</script>");
        assert!(matches!(
            check_upload(script),
            Err(AttachmentError::NotAllowedType { .. })
        ));
        let zip = upload("contract.pdf", b"PK\x03\x04\x14\x00\x00\x00\x08\x00");
        assert!(matches!(
            check_upload(zip),
            Err(AttachmentError::NotAllowedType { .. })
        ));
    }

    #[test]
    fn empty_and_oversized_files_are_refused() {
        assert!(matches!(
            check_upload(upload("a.pdf", b"")),
            Err(AttachmentError::Empty { .. })
        ));
        let mut big = PDF.to_vec();
        big.resize(MAX_ATTACHMENT_BYTES + 1, b' ');
        assert!(matches!(
            check_upload(upload("a.pdf", &big)),
            Err(AttachmentError::TooLarge { .. })
        ));
    }

    #[test]
    fn a_file_name_keeps_its_last_part_without_control_characters() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\Users\\a\\palkka.pdf"), "palkka.pdf");
        assert_eq!(clean_file_name("a\u{0}b\nc.pdf"), "abc.pdf");
        assert_eq!(clean_file_name(".."), "attachment");
        assert_eq!(clean_file_name(""), "attachment");
        assert_eq!(clean_file_name(&"x".repeat(500)).chars().count(), 120);
        assert_eq!(clean_file_name("Договор.pdf"), "Договор.pdf");
    }
}
