//! Pooling layers (course module 09): `MaxPool2d` and `AvgPool2d`.

use super::module::{Layer, Module, Site};
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use std::any::Any;
use std::rc::Rc;

macro_rules! pool {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $op:ident) => {
        $(#[$doc])*
        pub struct $name {
            site: Site,
            kernel: usize,
            stride: usize,
            padding: usize,
        }

        impl $name {
            /// A `kernel × kernel` pool; `stride` defaults to the kernel size when `None`.
            ///
            /// # Errors
            /// If the kernel or stride is 0, or the padding is more than half the kernel.
            pub fn new(kernel: usize, stride: Option<usize>, padding: usize) -> Result<$name> {
                let stride = stride.unwrap_or(kernel);
                if kernel == 0 || stride == 0 || 2 * padding > kernel {
                    return Err(Error::Arg {
                        op: $kind,
                        msg: format!("needs kernel ≥ 1, stride ≥ 1 and padding ≤ kernel/2, got kernel {kernel}, stride {stride}, padding {padding}"),
                    });
                }
                Ok($name { site: Site::new(), kernel, stride, padding })
            }
            /// Wraps the layer in a shared handle.
            pub fn into_layer(self) -> Layer {
                Rc::new(self)
            }
        }

        impl Module for $name {
            fn forward(&self, x: &Tensor) -> Result<Tensor> {
                x.$op(self.kernel, self.stride, self.padding)
                    .map_err(|e| e.in_layer($kind, &self.describe()))
            }
            fn flops(&self, _input: &[usize], output: &[usize]) -> u64 {
                // k² reads combined per output element.
                output.iter().product::<usize>() as u64 * (self.kernel * self.kernel) as u64
            }
            fn kind(&self) -> &'static str {
                $kind
            }
            fn describe(&self) -> String {
                format!("{}(k={}, s={}, p={})", $kind, self.kernel, self.stride, self.padding)
            }
            fn site(&self) -> &Site {
                &self.site
            }
            fn as_any(&self) -> &dyn Any {
                self
            }
        }
    };
}

pool!(
    /// Max over windows; the gradient goes only to each window's first maximum.
    ///
    /// # Example
    /// ```
    /// use tinytorch::{nn::{MaxPool2d, Module}, Tensor};
    /// let p = MaxPool2d::new(2, None, 0).unwrap();
    /// assert_eq!(p.forward(&Tensor::zeros(&[2, 16, 16, 16])).unwrap().shape(), vec![2, 16, 8, 8]);
    /// ```
    MaxPool2d, "MaxPool2d", try_max_pool2d
);
pool!(
    /// Mean over windows (padding counts as zeros).
    AvgPool2d, "AvgPool2d", try_avg_pool2d
);
