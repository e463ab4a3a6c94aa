//! Revisions as people write them, in Alembic's spellings: `head`, `+N`, `-N`, `base`, or a
//! migration's version or folder name.

use std::str::FromStr;

use super::error::MigrationError;
use super::runner::{DowngradeTarget, UpgradeTarget};

impl FromStr for UpgradeTarget {
    type Err = MigrationError;

    /// `head`, `+N` (the next N), or a revision to upgrade to.
    fn from_str(revision: &str) -> Result<Self, MigrationError> {
        Ok(match revision {
            "head" => UpgradeTarget::Head,
            _ => match revision.strip_prefix('+') {
                Some(n) => UpgradeTarget::Steps(count(revision, n)?),
                None => UpgradeTarget::To(revision.to_owned()),
            },
        })
    }
}

impl FromStr for DowngradeTarget {
    type Err = MigrationError;

    /// `base` (revert all), `-N` (the last N), or a revision to keep as the last applied.
    fn from_str(revision: &str) -> Result<Self, MigrationError> {
        Ok(match revision {
            "base" => DowngradeTarget::Base,
            _ => match revision.strip_prefix('-') {
                Some(n) => DowngradeTarget::Steps(count(revision, n)?),
                None => DowngradeTarget::To(revision.to_owned()),
            },
        })
    }
}

/// The N of `+N` or `-N`: a number from 1.
fn count(revision: &str, n: &str) -> Result<usize, MigrationError> {
    n.parse()
        .ok()
        .filter(|&n: &usize| n > 0)
        .ok_or_else(|| MigrationError::BadStep(revision.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alembic_spellings_name_their_targets() {
        assert_eq!(
            "head".parse::<UpgradeTarget>().unwrap(),
            UpgradeTarget::Head
        );
        assert_eq!(
            "+3".parse::<UpgradeTarget>().unwrap(),
            UpgradeTarget::Steps(3)
        );
        assert_eq!(
            "2026".parse::<UpgradeTarget>().unwrap(),
            UpgradeTarget::To("2026".into())
        );
        assert_eq!(
            "base".parse::<DowngradeTarget>().unwrap(),
            DowngradeTarget::Base
        );
        assert_eq!(
            "-1".parse::<DowngradeTarget>().unwrap(),
            DowngradeTarget::Steps(1)
        );
        for bad in ["+0", "+x", "+"] {
            assert!(matches!(
                bad.parse::<UpgradeTarget>(),
                Err(MigrationError::BadStep(_))
            ));
        }
        assert!("-0".parse::<DowngradeTarget>().is_err());
    }
}
