-- bank (issue 13, cat2): the calibration's a-b sampling covariance stored with the item
-- parameters, so a standard error of b after linking, Lord's chi-square or the information's
-- error can be computed from the bank's own rows and not only from a calibration file.
ALTER TABLE bank.item_params
    ADD COLUMN cov_ab double precision
        CHECK (cov_ab IS NULL OR (cov_ab > -1e6 AND cov_ab < 1e6)),
    ADD CONSTRAINT item_params_cov_ab_bound
        CHECK (cov_ab IS NULL OR se_a IS NULL OR se_b IS NULL OR abs(cov_ab) <= se_a * se_b * (1 + 1e-9) + 1e-12);
COMMENT ON COLUMN bank.item_params.cov_ab IS
    'Sampling covariance of the a and b estimates (inverse information), NULL when the run gave none (fixed items, Rasch, imports); |cov_ab| <= se_a * se_b';
COMMENT ON CONSTRAINT item_params_cov_ab_bound ON bank.item_params IS
    'Cauchy-Schwarz: a covariance can never exceed the product of the two standard errors';
