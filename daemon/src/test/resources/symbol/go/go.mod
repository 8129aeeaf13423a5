module gosymtest

go 1.19
