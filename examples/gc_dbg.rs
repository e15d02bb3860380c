use tinytorch::{loss::mse_loss, manual_seed, nn::*, Tensor};
fn main() {
    for (batch, bias) in [(8usize, 0.0f32), (32, 0.0), (16, 0.1), (32, 0.1)] {
        let mut dead = 0;
        for seed in 0..2000 {
            manual_seed(seed);
            let layers: Vec<Layer> = (0..5)
                .flat_map(|_| {
                    let l = Linear::new(4, 4, true);
                    l.bias().unwrap().data_mut().fill(bias);
                    [l.into_layer(), ReLU::new().into_layer()]
                })
                .collect();
            let m = Sequential::new(layers);
            let x = Tensor::randn(&[batch, 4]);
            let y = Tensor::randn(&[batch, 4]);
            mse_loss(&m.forward(&x).unwrap(), &y)
                .unwrap()
                .backward()
                .unwrap();
            if m.parameters()
                .iter()
                .step_by(2)
                .any(|w| w.grad().unwrap().to_vec().iter().all(|&v| v == 0.0))
            {
                dead += 1;
            }
        }
        println!("batch {batch} bias {bias}: {dead}/2000 seeds have an all-zero weight gradient");
    }
}
