//! `profiling_integration` (module 14): profiling a training step leaves the loss and every
//! gradient bit-identical to an unprofiled step; FLOP and parameter counts equal hand counts
//! for an MLP, a CNN and a transformer block; memory figures come from the real tensors.

use super::ctx::{check, grad_vec, Ctx};
use crate::error::Result;
use crate::nn::loss::Loss;
use crate::nn::{
    call, Conv2d, Flatten, Layer, Linear, MaxPool2d, Module, ReLU, Sequential, TransformerBlock,
};
use crate::optim::{Adam, Optimizer};
use crate::profiler::{count_flops, profile_step};
use crate::tensor::Tensor;

fn mlp() -> Sequential {
    Sequential::new(vec![
        Linear::new(4, 8, true).into_layer(),
        ReLU::new().into_layer(),
        Linear::new(8, 2, true).into_layer(),
    ])
}

fn cnn() -> Result<Sequential> {
    Ok(Sequential::new(vec![
        Conv2d::new(1, 4, 3, 1, 1, true)?.into_layer(),
        ReLU::new().into_layer(),
        MaxPool2d::new(2, None, 0)?.into_layer(),
        Flatten::new().into_layer(),
        Linear::new(64, 3, true).into_layer(),
    ]))
}

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.case("profiling_changes_nothing", "One Adam training step of a CNN, profiled and unprofiled from the same seed: the loss, every gradient and every updated weight are bit-identical.", |ctx, c| {
        let mut results = Vec::new();
        for profiled in [false, true] {
            ctx.reseed(1);
            let model: Layer = std::rc::Rc::new(cnn()?);
            ctx.prepare(&*model);
            let (x, y) = (Tensor::randn(&[4, 1, 8, 8]), Tensor::from_vec(vec![0., 1., 2., 1.], &[4])?);
            if !profiled {
                ctx.check_layers(c, &*model, &x, &y, Loss::CrossEntropy)?;
            }
            let mut opt = Adam::new(model.parameters(), 0.01)?;
            let loss = if profiled {
                profile_step(&*model, &x, &y, Loss::CrossEntropy, Some(&mut opt))?.loss
            } else {
                let l = Loss::CrossEntropy.compute(&call(&*model, &x)?, &y)?;
                l.backward()?;
                opt.step()?;
                l.item()?
            };
            let mut grads: Vec<Vec<u32>> = Vec::new();
            for (name, p) in model.named_parameters() {
                grads.push(grad_vec(&p, &name)?.iter().map(|v| v.to_bits()).collect());
            }
            let weights: Vec<Vec<u32>> = model.parameters().iter().map(|p| p.to_vec().iter().map(|v| v.to_bits()).collect()).collect();
            results.push((loss.to_bits(), grads, weights));
        }
        check!(results[0].0 == results[1].0, "the profiled loss differs");
        check!(results[0].1 == results[1].1, "a profiled gradient differs");
        check!(results[0].2 == results[1].2, "a profiled weight update differs");
        Ok(())
    });

    ctx.case("counts_equal_hand_counts", "FLOPs (multiply-add = 2, bias/elementwise = 1 per element, pooling k² per output, norms 5 per element) and parameters of an MLP, a CNN and a transformer block equal hand counts.", |ctx, c| {
        ctx.reseed(2);
        // MLP 4→8→2, batch 16: Linear 2·16·4·8 + 16·8 = 1152; ReLU 16·8 = 128;
        // Linear 2·16·8·2 + 16·2 = 544. Params 4·8 + 8 + 8·2 + 2 = 58.
        let m = mlp();
        let f: Vec<u64> = count_flops(&m, &Tensor::randn(&[16, 4]))?.iter().map(|l| l.flops).collect();
        check!(f == vec![1152, 128, 544] && m.num_parameters() == 58, "MLP FLOPs {f:?}, params {}", m.num_parameters());
        // CNN on (2, 1, 8, 8): conv 1→4 3×3 p1 gives 2·4·8·8 = 512 outputs: 2·512·9 + 512 = 9728;
        // ReLU 512; max-pool 2 gives 128 outputs × 4 = 512; flatten 0; Linear 64→3:
        // 2·2·64·3 + 2·3 = 774. Params 4·9 + 4 + 64·3 + 3 = 235.
        let m = cnn()?;
        let f: Vec<u64> = count_flops(&m, &Tensor::randn(&[2, 1, 8, 8]))?.iter().map(|l| l.flops).collect();
        check!(f == vec![9728, 512, 512, 0, 774] && m.num_parameters() == 235, "CNN FLOPs {f:?}, params {}", m.num_parameters());
        // Transformer block d=8, 2 heads, MLP 8→32→8 on (1, 5, 8): residuals 2·40 = 80;
        // LayerNorms 5·40 = 200 each; attention own 4·1·5·5·8 + 2·1·2·5·5 = 900; projections
        // q, v, out 2·5·8·8 + 40 = 680 each, k (no bias) 640; fc1 2·5·8·32 + 160 = 2720;
        // GELU 160; fc2 2·5·32·8 + 40 = 2600. Total 9540. Params 2·16 + 3·72 + 64 + 288 + 264 = 864.
        let b = TransformerBlock::new(8, 2, 4, true)?;
        let rows = count_flops(&b, &Tensor::randn(&[1, 5, 8]))?;
        let total: u64 = rows.iter().map(|l| l.flops).sum::<u64>() + b.flops(&[1, 5, 8], &[1, 5, 8]);
        let attn = rows.iter().find(|r| r.path == "attn").map(|r| r.flops).unwrap_or(0);
        check!(total == 9540 && attn == 900 && b.num_parameters() == 864, "block FLOPs {total} (attention {attn}), params {}", b.num_parameters());
        c.metrics.insert("block_flops".into(), total as f64);
        Ok(())
    });

    ctx.case("memory_and_time_measured", "For an MLP step with Adam: parameter bytes = 4·params, gradient bytes = parameter bytes, Adam state = 2·4·params + 4 bytes, the graph holds every intermediate output, and every layer has a measured forward and backward time (containers include their children).", |ctx, c| {
        ctx.reseed(3);
        let m = mlp();
        ctx.prepare(&m);
        let (x, y) = (Tensor::randn(&[16, 4]), Tensor::randn(&[16, 2]));
        ctx.check_layers(c, &m, &x, &y, Loss::Mse)?;
        let mut opt = Adam::new(m.parameters(), 0.01)?;
        let r = profile_step(&m, &x, &y, Loss::Mse, Some(&mut opt))?;
        check!(r.param_bytes == 58 * 4 && r.grad_bytes == r.param_bytes, "param bytes {}, grad bytes {}", r.param_bytes, r.grad_bytes);
        check!(r.optimizer_bytes == 2 * 58 * 4 + 4, "Adam state {} bytes", r.optimizer_bytes);
        // Outputs (16·8, 16·8, 16·2) plus the loss's own intermediates; at least the outputs.
        let outputs: usize = r.layers.iter().map(|l| l.activation_bytes).sum();
        check!(outputs == (128 + 128 + 32) * 4 && r.activation_bytes >= outputs, "layer outputs {outputs} B, graph {} B", r.activation_bytes);
        check!(r.layers.iter().all(|l| l.calls == 1 && l.forward_ms >= 0.0 && l.backward_ms >= 0.0), "a layer was not timed");
        c.metrics.insert("forward_ms".into(), r.forward_ms);
        c.metrics.insert("backward_ms".into(), r.backward_ms);
        Ok(())
    });
    Ok(())
}
