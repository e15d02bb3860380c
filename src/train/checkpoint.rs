//! Checkpoints as bytes: a JSON header (metadata, shapes, RNG state) and the raw f32 data of
//! parameters, buffers and optimizer state. Loading one resumes training bit-identically.

use super::trainer::{History, Trainer};
use super::CosineSchedule;
use crate::data::DataLoader;
use crate::error::{Error, Result};
use crate::rng::{self, Rng};
use crate::tensor::Array;
use ndarray::IxDyn;
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 4] = b"TTCK";
const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    epoch: usize,
    step: usize,
    lr: f32,
    scheduler: Option<CosineSchedule>,
    grad_clip: Option<f32>,
    optimizer: String,
    history: History,
    rng: Rng,
    loader_epoch: Option<u64>,
    params: Vec<(String, Vec<usize>)>,
    buffers: Vec<Vec<usize>>,
    opt_state: Vec<Vec<usize>>,
}

fn bad(msg: impl Into<String>) -> Error {
    Error::Arg {
        op: "load_checkpoint",
        msg: msg.into(),
    }
}

impl Trainer {
    /// Serialises everything needed to continue training exactly: parameters, buffers,
    /// optimizer state, schedule, counters, history, the global RNG state and (if given) the
    /// loader's epoch counter, which fixes the next shuffle.
    pub fn save_checkpoint(&self, loader: Option<&DataLoader>) -> Vec<u8> {
        let params = self.model.named_parameters();
        let buffers = self.model.buffers();
        let opt = self.optimizer.state();
        let header = Header {
            format: FORMAT,
            epoch: self.epoch,
            step: self.step,
            lr: self.optimizer.lr(),
            scheduler: self.scheduler,
            grad_clip: self.grad_clip,
            optimizer: self.optimizer.kind().to_string(),
            history: self.history.clone(),
            rng: rng::snapshot(),
            loader_epoch: loader.map(|l| l.current_epoch()),
            params: params.iter().map(|(n, t)| (n.clone(), t.shape())).collect(),
            buffers: buffers.iter().map(|t| t.shape()).collect(),
            opt_state: opt.iter().map(|a| a.shape().to_vec()).collect(),
        };
        let json = serde_json::to_vec(&header).expect("header serialises");
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        let mut put = |a: &Array| {
            a.iter()
                .for_each(|v| out.extend_from_slice(&v.to_le_bytes()))
        };
        params.iter().for_each(|(_, t)| put(&t.data()));
        buffers.iter().for_each(|t| put(&t.data()));
        opt.iter().for_each(&mut put);
        out
    }

    /// Restores a checkpoint written by [`Trainer::save_checkpoint`] into a trainer with the
    /// same architecture and optimizer kind.
    ///
    /// # Errors
    /// If the bytes are not a checkpoint, or names, shapes or the optimizer kind differ. The
    /// trainer is left unchanged on error.
    pub fn load_checkpoint(&mut self, bytes: &[u8], loader: Option<&DataLoader>) -> Result<()> {
        if bytes.len() < 8 || &bytes[..4] != MAGIC {
            return Err(bad("not a TinyTorch checkpoint (bad magic bytes)"));
        }
        let hlen = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes")) as usize;
        let body = bytes
            .get(8..8 + hlen)
            .ok_or_else(|| bad("truncated header"))?;
        let h: Header =
            serde_json::from_slice(body).map_err(|e| bad(format!("bad header: {e}")))?;
        if h.format != FORMAT {
            return Err(bad(format!(
                "format {} is not supported (expected {FORMAT})",
                h.format
            )));
        }
        if h.optimizer != self.optimizer.kind() {
            return Err(bad(format!(
                "checkpoint was saved with optimizer '{}', this trainer uses '{}'",
                h.optimizer,
                self.optimizer.kind()
            )));
        }
        let params = self.model.named_parameters();
        let mine: Vec<(String, Vec<usize>)> =
            params.iter().map(|(n, t)| (n.clone(), t.shape())).collect();
        if mine != h.params {
            return Err(bad(format!(
                "parameters differ: checkpoint has {:?}, model has {mine:?}",
                h.params
            )));
        }
        let buffers = self.model.buffers();
        if buffers.iter().map(|t| t.shape()).collect::<Vec<_>>() != h.buffers {
            return Err(bad("buffers differ from the model's"));
        }
        let mut data = &bytes[8 + hlen..];
        let mut take = |shape: &[usize]| -> Result<Array> {
            let n: usize = shape.iter().product();
            if data.len() < 4 * n {
                return Err(bad("truncated data"));
            }
            let vals: Vec<f32> = data[..4 * n]
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
                .collect();
            data = &data[4 * n..];
            Ok(Array::from_shape_vec(IxDyn(shape), vals).expect("sizes agree"))
        };
        let p_vals: Vec<Array> = h
            .params
            .iter()
            .map(|(_, s)| take(s))
            .collect::<Result<_>>()?;
        let b_vals: Vec<Array> = h.buffers.iter().map(|s| take(s)).collect::<Result<_>>()?;
        let o_vals: Vec<Array> = h.opt_state.iter().map(|s| take(s)).collect::<Result<_>>()?;
        // All reads succeeded: now mutate.
        self.optimizer.load_state(o_vals)?;
        for ((_, t), v) in params.iter().zip(p_vals) {
            t.set_data(v)?;
            t.zero_grad();
        }
        for (t, v) in buffers.iter().zip(b_vals) {
            t.set_data(v)?;
        }
        self.optimizer.set_lr(h.lr);
        self.epoch = h.epoch;
        self.step = h.step;
        self.scheduler = h.scheduler;
        self.grad_clip = h.grad_clip;
        self.history = h.history;
        rng::restore(h.rng);
        if let (Some(l), Some(e)) = (loader, h.loader_epoch) {
            l.set_epoch(e);
        }
        Ok(())
    }
}
