//! The rules the machine applies, over time: the shipped rule texts (built into the binary
//! or read from `--rules`) with every approved rule proposal laid over them from its
//! effective date.
//!
//! A case is decided by the rules in force on its application date, so a change approved
//! today for next month decides the applications filed next month and none before. A
//! worker takes one snapshot ([`RuleShelf`]) per case and keeps it for the work in hand;
//! approving a proposal builds a new shelf and swaps it in, so no reader ever sees half a
//! change. Every server reloads the shelf when the approved proposals in the store change
//! ([`LiveRules::refresh`]), so instances on one database agree.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use jiff::civil::Date;
use polku_decide::{ApprovedText, RuleShelf, ShelfError};
use polku_rules::RuleBook;

use crate::handle::StoreError;

/// What a [`RuleSource`] answers, later.
pub type SourceFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Where the approved changes come from (the rule proposals, kept by rule administration).
/// The live rules ask it, never name it: rule administration sits on top of the cases and
/// the rules in force, not beneath them; the binary hands its source to [`LiveRules::new`].
pub trait RuleSource: Send + Sync {
    /// (how many approved, the latest approval): changes when the live rules must reload.
    fn stamp(&self) -> SourceFuture<'_, (i64, i64)>;
    /// Every approved change, in any order.
    fn approved(&self) -> SourceFuture<'_, Vec<ApprovedText>>;
}

/// No approved changes, ever: the shipped texts alone (tests, benchmarks, a rule file tried
/// out before it is proposed).
#[derive(Debug, Clone, Copy)]
pub struct ShippedOnly;

impl RuleSource for ShippedOnly {
    fn stamp(&self) -> SourceFuture<'_, (i64, i64)> {
        Box::pin(async { Ok((0, 0)) })
    }

    fn approved(&self) -> SourceFuture<'_, Vec<ApprovedText>> {
        Box::pin(async { Ok(Vec::new()) })
    }
}

/// Why the rules in force could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error(transparent)]
    Shelf(#[from] ShelfError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The shared, swappable rules of a process. Cloning shares them.
#[derive(Clone)]
pub struct LiveRules {
    shipped: Arc<RuleBook>,
    /// Where approved changes are read from.
    source: Arc<dyn RuleSource>,
    shelf: Arc<RwLock<Arc<RuleShelf>>>,
    /// When the store was last asked (microseconds since the epoch; 0: never).
    refreshed_at: Arc<AtomicI64>,
}

impl fmt::Debug for LiveRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveRules")
            .field("stamp", &self.shelf().stamp())
            .finish_non_exhaustive()
    }
}

/// The shipped texts alone, never changed ([`ShippedOnly`]).
impl From<RuleBook> for LiveRules {
    fn from(book: RuleBook) -> Self {
        LiveRules::new(Arc::new(book), Arc::new(ShippedOnly))
    }
}

/// The shipped texts alone, never changed ([`ShippedOnly`]).
impl From<Arc<RuleBook>> for LiveRules {
    fn from(book: Arc<RuleBook>) -> Self {
        LiveRules::new(book, Arc::new(ShippedOnly))
    }
}

/// The shipped texts alone, never changed ([`ShippedOnly`]).
impl From<&Arc<RuleBook>> for LiveRules {
    fn from(book: &Arc<RuleBook>) -> Self {
        LiveRules::new(book.clone(), Arc::new(ShippedOnly))
    }
}

/// Shares the same rules (a clone).
impl From<&LiveRules> for LiveRules {
    fn from(rules: &LiveRules) -> Self {
        rules.clone()
    }
}

impl LiveRules {
    /// The shipped texts, over which [`LiveRules::refresh`] lays the changes `source`
    /// holds approved.
    pub fn new(shipped: Arc<RuleBook>, source: Arc<dyn RuleSource>) -> LiveRules {
        let shelf = RuleShelf::shipped(shipped.clone());
        LiveRules {
            shipped,
            source,
            shelf: Arc::new(RwLock::new(Arc::new(shelf))),
            refreshed_at: Arc::new(AtomicI64::new(0)),
        }
    }

    /// The current snapshot; keep it for the work in hand.
    pub fn shelf(&self) -> Arc<RuleShelf> {
        match self.shelf.read() {
            Ok(s) => s.clone(),
            // A panic while swapping cannot leave a half-built shelf: the swap is one store.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The rules in force on `date`.
    pub fn on(&self, date: Date) -> Arc<RuleBook> {
        self.shelf().on(date).clone()
    }

    /// The rules in force today.
    pub fn today(&self) -> Arc<RuleBook> {
        self.on(crate::today_in_finland())
    }

    /// The texts shipped with the binary (or read from `--rules`).
    pub fn shipped(&self) -> &Arc<RuleBook> {
        &self.shipped
    }

    /// Rebuilds the shelf if the approved changes in the source changed since it was built.
    /// Returns whether it did. A stored approved text that no longer loads (a newer binary
    /// changed the format, say) is an error: deciding under other rules than the approved
    /// ones would be worse than not deciding.
    pub async fn refresh(&self) -> Result<bool, RulesError> {
        let asked = jiff::Timestamp::now().as_microsecond();
        let stamp = self.source.stamp().await?;
        if self.shelf().stamp() == stamp {
            self.refreshed_at.fetch_max(asked, Ordering::Relaxed);
            return Ok(false);
        }
        let approved = self.source.approved().await?;
        // The stamp of what was actually read (an approval may have landed in between).
        let stamp = (
            i64::try_from(approved.len()).unwrap_or(i64::MAX),
            approved
                .iter()
                .filter_map(|p| p.decided_at)
                .max()
                .unwrap_or(0),
        );
        let shelf = Arc::new(RuleShelf::build(self.shipped.clone(), &approved, stamp)?);
        // Approvals are never undone, so a later stamp is a later state: a refresh that
        // read earlier than another (they may run at once) must not put older rules back.
        let mut slot = match self.shelf.write() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        if slot.stamp() < stamp {
            *slot = shelf;
        }
        drop(slot);
        self.refreshed_at.fetch_max(asked, Ordering::Relaxed);
        Ok(true)
    }

    /// The rules that decide an application filed on `date`, certain to include every
    /// change approved for that day. A change is approved before the day it takes effect
    /// begins, so a shelf read from the store after that day began holds it; an older
    /// shelf is refreshed first (once a day in practice, whatever the poll interval).
    pub async fn for_filing_date(&self, date: Date) -> Result<Arc<RuleBook>, RulesError> {
        let day_began = date
            .to_zoned(crate::finland())
            .map_or(i64::MAX, |z| z.timestamp().as_microsecond());
        if self.refreshed_at.load(Ordering::Relaxed) < day_began {
            self.refresh().await?;
        }
        Ok(self.on(date))
    }
}
