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

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use jiff::civil::Date;
use polku_decide::{ApprovedText, RuleShelf, ShelfError};
use polku_rules::RuleBook;

use crate::store::StoreError;

/// Where the approved changes come from (the rule proposals, in the store). The live rules
/// ask it, never name it: rule administration sits on top of the rules in force, not
/// beneath them.
pub trait RuleSource: Sync {
    /// (how many approved, the latest approval): changes when the live rules must reload.
    fn stamp(&self) -> impl Future<Output = Result<(i64, i64), StoreError>> + Send;
    /// Every approved change, in any order.
    fn approved(&self) -> impl Future<Output = Result<Vec<ApprovedText>, StoreError>> + Send;
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
#[derive(Debug, Clone)]
pub struct LiveRules {
    shipped: Arc<RuleBook>,
    shelf: Arc<RwLock<Arc<RuleShelf>>>,
    /// When the store was last asked (microseconds since the epoch; 0: never).
    refreshed_at: Arc<AtomicI64>,
}

impl From<RuleBook> for LiveRules {
    fn from(book: RuleBook) -> Self {
        LiveRules::new(Arc::new(book))
    }
}

impl From<Arc<RuleBook>> for LiveRules {
    fn from(book: Arc<RuleBook>) -> Self {
        LiveRules::new(book)
    }
}

impl From<&Arc<RuleBook>> for LiveRules {
    fn from(book: &Arc<RuleBook>) -> Self {
        LiveRules::new(book.clone())
    }
}

/// Shares the same rules (a clone).
impl From<&LiveRules> for LiveRules {
    fn from(rules: &LiveRules) -> Self {
        rules.clone()
    }
}

impl LiveRules {
    /// The shipped texts alone; [`LiveRules::refresh`] lays the approved proposals over them.
    pub fn new(shipped: Arc<RuleBook>) -> LiveRules {
        let shelf = RuleShelf::shipped(shipped.clone());
        LiveRules {
            shipped,
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

    /// Rebuilds the shelf if the approved proposals in `store` changed since it was built.
    /// Returns whether it did. A stored approved text that no longer loads (a newer binary
    /// changed the format, say) is an error: deciding under other rules than the approved
    /// ones would be worse than not deciding.
    pub async fn refresh(&self, source: &impl RuleSource) -> Result<bool, RulesError> {
        let asked = jiff::Timestamp::now().as_microsecond();
        let stamp = source.stamp().await?;
        if self.shelf().stamp() == stamp {
            self.refreshed_at.fetch_max(asked, Ordering::Relaxed);
            return Ok(false);
        }
        let approved = source.approved().await?;
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
    pub async fn for_filing_date(
        &self,
        source: &impl RuleSource,
        date: Date,
    ) -> Result<Arc<RuleBook>, RulesError> {
        let day_began = date
            .to_zoned(crate::finland())
            .map_or(i64::MAX, |z| z.timestamp().as_microsecond());
        if self.refreshed_at.load(Ordering::Relaxed) < day_began {
            self.refresh(source).await?;
        }
        Ok(self.on(date))
    }
}
