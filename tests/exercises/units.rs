//! Every module's unit checks: all "missing" with nothing installed, all passing with the
//! lab-backed reference implementations installed.

use super::reference::install_modules;
use tinytorch::exercises::{run_unit_checks, CheckStatus, MODULES};
use tinytorch::slots;

#[test]
fn with_nothing_installed_every_check_is_missing() {
    slots::clear();
    for m in MODULES {
        let r = run_unit_checks(m, 0);
        assert!(!r.checks.is_empty(), "module {m} has no checks");
        assert!(!r.passed);
        for c in &r.checks {
            assert_eq!(
                c.status,
                CheckStatus::Missing,
                "module {m} {}::{}",
                c.function,
                c.name
            );
            assert!(c.message.contains(c.function), "{}", c.message);
        }
        // Every slot of the module has at least one check.
        assert!(
            r.functions.iter().all(|f| f.total > 0),
            "module {m}: {:?}",
            r.functions
        );
    }
}

#[test]
fn reference_implementations_pass_every_unit_check() {
    for seed in [0, 1, 7] {
        for m in MODULES {
            slots::clear();
            install_modules(&[m]);
            let r = run_unit_checks(m, seed);
            slots::clear();
            let failing: Vec<String> = r
                .checks
                .iter()
                .filter(|c| c.status != CheckStatus::Pass)
                .map(|c| format!("{}::{}: {}", c.function, c.name, c.message))
                .collect();
            assert!(
                r.passed && failing.is_empty(),
                "module {m}, seed {seed}:\n{}",
                failing.join("\n")
            );
        }
    }
}

#[test]
fn reference_implementations_of_all_modules_together_pass() {
    slots::clear();
    install_modules(&[1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for m in MODULES {
        let r = run_unit_checks(m, 3);
        assert!(
            r.passed,
            "module {m}: {:?}",
            r.checks
                .iter()
                .filter(|c| c.status != CheckStatus::Pass)
                .map(|c| &c.message)
                .collect::<Vec<_>>()
        );
    }
    slots::clear();
}
