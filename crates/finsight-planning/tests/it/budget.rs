//! The budget optimizer: the aim met to the cent when feasible, essentials
//! cut least, an infeasible aim reported with the best saving; tracking
//! levels and crossings.

use finsight_planning::budget::{
    BudgetRequest, CategorySpending, Flexibility, adjustment, recommend,
};
use finsight_planning::tracking::{Level, MonthPosition, available, crossed, status};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn spending(category: &str, monthly: &[Decimal]) -> CategorySpending {
    CategorySpending {
        category: category.into(),
        monthly: monthly.to_vec(),
        forecast: None,
    }
}

fn request(aim: Decimal) -> BudgetRequest {
    BudgetRequest {
        income: dec!(4000),
        savings_aim: aim,
        categories: vec![
            spending("housing", &[dec!(1500); 6]),
            spending(
                "groceries",
                &[
                    dec!(400),
                    dec!(420),
                    dec!(380),
                    dec!(410),
                    dec!(390),
                    dec!(400),
                ],
            ),
            spending(
                "dining",
                &[
                    dec!(300),
                    dec!(250),
                    dec!(350),
                    dec!(280),
                    dec!(320),
                    dec!(310),
                ],
            ),
            spending(
                "shopping",
                &[
                    dec!(400),
                    dec!(200),
                    dec!(600),
                    dec!(300),
                    dec!(500),
                    dec!(350),
                ],
            ),
            spending("entertainment", &[dec!(150); 6]),
        ],
    }
}

#[test]
fn a_feasible_aim_is_met_to_the_cent() {
    for aim in [dec!(1300), dec!(1333.33), dec!(1500), dec!(1777.77)] {
        let r = recommend(&request(aim));
        assert!(r.feasible, "aim {aim}");
        assert_eq!(r.planned_saving, aim, "aim {aim}");
        assert_eq!(r.total, r.lines.iter().map(|l| l.amount).sum::<Decimal>());
        for line in &r.lines {
            assert!(line.amount <= line.need, "{line:?}");
        }
    }
}

#[test]
fn essentials_are_cut_least() {
    let r = recommend(&request(dec!(1600)));
    let cut = |name: &str| {
        let l = r.lines.iter().find(|l| l.category == name).unwrap();
        1.0 - (l.amount / l.need).to_string().parse::<f64>().unwrap()
    };
    for essential in ["housing", "groceries"] {
        for discretionary in ["dining", "shopping", "entertainment"] {
            assert!(
                cut(essential) < cut(discretionary),
                "{essential} {} vs {discretionary} {}",
                cut(essential),
                cut(discretionary)
            );
        }
    }
    // The more variable discretionary category gives more.
    assert!(cut("shopping") > cut("entertainment"));
    let dining = r.lines.iter().find(|l| l.category == "dining").unwrap();
    assert!(
        dining.explanation.contains("6-month median 305"),
        "{}",
        dining.explanation
    );
    assert!(dining.change_percent < 0.0);
    assert_eq!(Flexibility::of("housing.rent"), Flexibility::Essential);
}

#[test]
fn an_aim_already_met_cuts_nothing() {
    let r = recommend(&request(dec!(500)));
    assert!(r.feasible);
    assert!(r.lines.iter().all(|l| l.amount == l.need));
    assert!(r.planned_saving >= dec!(500));
}

#[test]
fn an_infeasible_aim_reports_the_best_saving() {
    let r = recommend(&request(dec!(3000)));
    assert!(!r.feasible);
    assert_eq!(r.planned_saving, r.best_saving);
    assert!(r.best_saving < dec!(3000));
    // Every line at its floor: the best saving is the most there is.
    let looser = recommend(&request(r.best_saving));
    assert!(looser.feasible);
    assert_eq!(looser.planned_saving, r.best_saving);
}

#[test]
fn adjustments_follow_a_steady_shift() {
    let over = [dec!(200), dec!(335), dec!(340), dec!(360)];
    let a = adjustment("dining", dec!(300), &over).unwrap();
    assert_eq!(a.proposed, dec!(340));
    assert!(adjustment("dining", dec!(300), &[dec!(330), dec!(290), dec!(360)]).is_none());
    assert_eq!(
        adjustment("dining", dec!(300), &[dec!(100), dec!(120), dec!(90)])
            .unwrap()
            .proposed,
        dec!(100)
    );
}

#[test]
fn tracking_levels_crossings_and_pace() {
    let (avail, carried) = available(dec!(500), true, dec!(420));
    assert_eq!((avail, carried), (dec!(580), dec!(80)));
    assert_eq!(available(dec!(500), false, dec!(100)).0, dec!(500));
    assert_eq!(
        crossed(dec!(390), dec!(400), dec!(500)),
        Some(Level::Warning)
    );
    assert_eq!(crossed(dec!(400), dec!(450), dec!(500)), None);
    assert_eq!(crossed(dec!(450), dec!(510), dec!(500)), Some(Level::Over));
    assert_eq!(crossed(dec!(10), dec!(600), dec!(500)), Some(Level::Over));
    let early = status(
        "dining",
        dec!(500),
        dec!(0),
        dec!(200),
        MonthPosition {
            day: 10,
            days_in_month: 30,
        },
    );
    assert_eq!(early.level, Level::Under);
    assert_eq!(early.projected, Some(dec!(600)));
    assert!(early.projected_overrun);
    let too_early = status(
        "dining",
        dec!(500),
        dec!(0),
        dec!(200),
        MonthPosition {
            day: 3,
            days_in_month: 30,
        },
    );
    assert!(!too_early.projected_overrun);
}
