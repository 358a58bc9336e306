"""Wrong answers for notebook 10's exercises (see tests/mutants/__init__.py)."""
MUTANTS = {
    "nb10_newton_step": [
        "return np.linalg.solve(H, g)",                  # sign: uphill
        "return -g / np.diag(H)",                        # only the diagonal of H
        "return -H @ g",                                 # multiplied by H instead of solving
        "return -g",                                     # a gradient step
    ],
    "nb10_lm_step": [
        "A = J.T @ J\nreturn np.linalg.solve(A + lam * np.eye(len(A)), -J.T @ r)",      # Levenberg (λI)
        "A = J.T @ J\nreturn np.linalg.solve(A + lam * np.diag(np.diag(A)), J.T @ r)",  # sign
        "A = J.T @ J\nreturn np.linalg.solve(A + lam * A, -J.T @ r)",                   # λ·JᵀJ, not its diagonal
        "A = J.T @ J\nreturn np.linalg.solve(A, -J.T @ r)",                             # no damping (Gauss–Newton)
        "A = J.T @ J\nreturn -J.T @ r / (np.diag(A) * (1 + lam))",                      # diagonal only
    ],
    "nb10_min_damping": [
        "return -np.linalg.eigvalsh(H)[0]",              # forgets that a definite H needs none
        "return max(0.0, np.linalg.eigvalsh(H)[0])",     # sign
        "return max(0.0, -np.min(np.diag(H)))",          # the diagonal is not the spectrum
        "return max(0.0, -np.linalg.eigvalsh(H)[-1])",   # the largest eigenvalue
    ],
}
