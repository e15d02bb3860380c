//! Unit checks of module 08 (DataLoader): batchIndices in order, with drop_last, and shuffled
//! by Fisher–Yates with the lab's draws.

use super::check::{rng_for, Check, Fail, Outcome};
use crate::slots::{self, value, value::Draw, Slot, Value};

fn batches(
    n: usize,
    bs: usize,
    shuffle: bool,
    drop_last: bool,
    draws: &[f32],
) -> Result<Vec<Vec<usize>>, Fail> {
    let mut args = [
        Value::Num(n as f64),
        Value::Num(bs as f64),
        Value::Bool(shuffle),
        Value::Bool(drop_last),
        Value::Draws(Draw::Uniform, draws.to_vec()),
    ];
    let out = slots::call(Slot::BatchIndices, &mut args)?;
    let Value::List(items) = out else {
        return Err(Fail::msg(format!(
            "should return an array of batches, but it returned {}",
            out.describe()
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, b)| {
            value::expect_shape("batchIndices", b, &format!("batch {i}")).map_err(Fail::from)
        })
        .collect()
}

/// The contract's shuffle: for i from n − 1 down to 1, j = ⌊u·(i + 1)⌋ with the next draw u,
/// swap i and j.
pub(crate) fn fisher_yates(n: usize, draws: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut k = 0;
    for i in (1..n).rev() {
        let j = ((draws[k] as f64) * (i as f64 + 1.0)).floor() as usize;
        k += 1;
        order.swap(i, j.min(i));
    }
    order
}

fn cut(order: &[usize], bs: usize, drop_last: bool) -> Vec<Vec<usize>> {
    order
        .chunks(bs)
        .filter(|c| !drop_last || c.len() == bs)
        .map(<[usize]>::to_vec)
        .collect()
}

fn expect(n: usize, bs: usize, shuffle: bool, drop_last: bool, draws: &[f32]) -> Outcome {
    let order = if shuffle {
        fisher_yates(n, draws)
    } else {
        (0..n).collect()
    };
    let want = cut(&order, bs, drop_last);
    let got = batches(n, bs, shuffle, drop_last, draws)?;
    if got == want {
        return Ok(());
    }
    let sizes = |b: &[Vec<usize>]| b.iter().map(Vec::len).collect::<Vec<_>>();
    if sizes(&got) != sizes(&want) {
        return Err(Fail::msg(format!(
            "batch sizes {:?}, expected {:?}",
            sizes(&got),
            sizes(&want)
        )));
    }
    let i = got.iter().zip(&want).position(|(g, w)| g != w).unwrap_or(0);
    Err(Fail::msg(format!(
        "batch {i} is {:?}, expected {:?}",
        got[i], want[i]
    )))
}

fn draws(seed: u64, k: u64, n: usize) -> Vec<f32> {
    let mut rng = rng_for(seed, k);
    (0..n).map(|_| rng.uniform()).collect()
}

/// Every check of module 08.
pub(super) fn checks(seed: u64) -> Vec<Check> {
    let d10 = draws(seed, 100, 10);
    let d103 = draws(seed, 101, 103);
    let (a, b) = (draws(seed, 102, 50), draws(seed, 103, 50));
    let d9 = draws(seed, 104, 9);
    vec![
        Check::new(Slot::BatchIndices, "in_order", "n 10, batch 3, no shuffle: [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]] — the last partial batch is kept.", || expect(10, 3, false, false, &[0.5; 10])),
        Check::new(Slot::BatchIndices, "drop_last", "n 10, batch 3, dropLast: [[0, 1, 2], [3, 4, 5], [6, 7, 8]].", || expect(10, 3, false, true, &[0.5; 10])),
        Check::new(Slot::BatchIndices, "exact_multiple", "n 9, batch 3, shuffled: three full batches and no empty one.", move || expect(9, 3, true, false, &d9)),
        Check::new(Slot::BatchIndices, "fisher_yates", "n 10, batch 4, shuffled with the given draws: for i from 9 down to 1, j = ⌊random()·(i + 1)⌋, swap — exactly the lab's order.", move || expect(10, 4, true, false, &d10)),
        Check::new(Slot::BatchIndices, "each_sample_once", "n 103, batch 10, shuffled: every row exactly once, in ten batches of 10 and one of 3.", move || {
            let got = batches(103, 10, true, false, &d103)?;
            let mut seen: Vec<usize> = got.concat();
            seen.sort_unstable();
            if seen != (0..103).collect::<Vec<_>>() {
                let repeated = seen.windows(2).filter(|w| w[0] == w[1]).count();
                return Err(Fail::msg(format!("{} rows in all, {repeated} repeats: each of the 103 rows must appear exactly once per epoch", seen.len())));
            }
            expect(103, 10, true, false, &d103)
        }),
        Check::new(Slot::BatchIndices, "epochs_differ", "Two epochs (different draws) come out in different orders; the same draws give the same order.", move || {
            let (x, y, x2) = (batches(50, 7, true, false, &a)?, batches(50, 7, true, false, &b)?, batches(50, 7, true, false, &a)?);
            if x == y {
                return Err(Fail::msg("two epochs with different draws gave the same order: shuffle with random()"));
            }
            if x != x2 {
                return Err(Fail::msg("the same draws gave different orders: use only random(), not Math.random()"));
            }
            Ok(())
        }),
    ]
}
