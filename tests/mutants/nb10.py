"""Wrong answers (MUTANTS) and right answers in another style (VARIANTS) for notebook 10's exercises
(see tests/mutants/__init__.py)."""
MUTANTS = {
    "nb10_newton_step": [
        "return np.linalg.solve(H, g)",                  # sign: uphill
        "return -g / np.diag(H)",                        # only the diagonal of H
        "return -H @ g",                                 # multiplied by H instead of solving
        "return -g",                                     # a gradient step
        # right numbers, but the instruction says: do not invert H
        "return -np.linalg.inv(H) @ g",
        "from numpy.linalg import inv\nreturn -inv(H) @ g",
        "return -np.linalg.pinv(H) @ g",
        "import scipy.linalg\nreturn -scipy.linalg.inv(H) @ g",
        "from scipy.linalg import inv as inverse\nreturn -inverse(H) @ g",
        "return -np.linalg.matrix_power(H, -1) @ g",
        "return -np.linalg.solve(H, np.eye(len(H))) @ g",
        # inverts, and hides the ForbiddenCall
        "try:\n    Hinv = np.linalg.inv(H)\nexcept Exception:\n    Hinv = np.linalg.solve(H, np.eye(len(g)))\n"
        "return -Hinv @ g",
        # a Cholesky solve: right for a positive-definite H only
        "L = np.linalg.cholesky(H)\nreturn -np.linalg.solve(L.T, np.linalg.solve(L, g))",
    ],
    "nb10_lm_step": [
        "A = J.T @ J\nreturn np.linalg.solve(A + lam * np.eye(len(A)), -J.T @ r)",      # Levenberg (λI)
        "A = J.T @ J\nreturn np.linalg.solve(A + lam * np.diag(np.diag(A)), J.T @ r)",  # sign
        "A = J.T @ J\nreturn np.linalg.solve(A + lam * A, -J.T @ r)",                   # λ·JᵀJ, not its diagonal
        "A = J.T @ J\nreturn np.linalg.solve(A, -J.T @ r)",                             # no damping (Gauss–Newton)
        "A = J.T @ J\nreturn -J.T @ r / (np.diag(A) * (1 + lam))",                      # diagonal only
        "A = J.T @ J\nreturn np.linalg.solve(A + lam * np.diag(A), -J.T @ r)",          # a vector added to every row
        "A = J.T @ J\nreturn np.linalg.solve(A + lam * np.diag(J.sum(axis=0) ** 2), -J.T @ r)",  # (Σ J)², not Σ J²
        "A = J @ J.T\nreturn np.linalg.solve(A + lam * np.diag(np.diag(A)), -J.T @ r)",  # JJᵀ, (N, N)
    ],
    "nb10_min_damping": [
        "return -np.linalg.eigvalsh(H)[0]",              # forgets that a definite H needs none
        "return max(0.0, np.linalg.eigvalsh(H)[0])",     # sign
        "return max(0.0, -np.min(np.diag(H)))",          # the diagonal is not the spectrum
        "return max(0.0, -np.linalg.eigvalsh(H)[-1])",   # the largest eigenvalue
        "return abs(np.linalg.eigvalsh(H)[0])",          # |λ_min|: damps a definite H too
        "return max(0.0, -np.linalg.eigvalsh(H)[0]) + 1e-6",  # "a little more, to be safe": not the smallest
        # Gershgorin's bound: safe, but not the smallest
        "return max(0.0, float(np.max(np.sum(np.abs(H), axis=1) - 2 * np.diag(H))))",
        "return max(0.0, -np.linalg.det(H))",            # the determinant is not an eigenvalue
    ],
}

VARIANTS = {
    "nb10_newton_step": [
        "return -np.linalg.solve(H, g)",
        "from numpy.linalg import solve\nreturn solve(-H, g)",
        "return np.linalg.lstsq(H, -g, rcond=None)[0]",
        "import scipy.linalg\nreturn scipy.linalg.solve(H, -g)",
        "return list(np.linalg.solve(H, -g[:, None])[:, 0])",
        "g *= -1\nreturn np.linalg.solve(H, g)",         # in place: the check passes copies
    ],
    "nb10_lm_step": [
        "A = J.T @ J\nA[np.diag_indices_from(A)] *= 1 + lam\nreturn np.linalg.solve(A, -(J.T @ r))",
        "A = J.T @ J\nreturn np.linalg.solve(A * (1 + lam * np.eye(len(A))), -r @ J)",
        # the damped problem as an augmented least-squares problem
        "D = np.sqrt(lam * np.sum(J**2, axis=0))\nM = np.vstack([J, np.diag(D)])\n"
        "rhs = np.concatenate([-r, np.zeros(J.shape[1])])\nreturn np.linalg.lstsq(M, rhs, rcond=None)[0]",
        "A = J.T @ J\nreturn tuple(np.linalg.inv(A + lam * np.diag(np.diag(A))) @ (-J.T @ r))",
        "import scipy.linalg\nA = J.T @ J\nreturn scipy.linalg.solve(A + lam * np.diag(np.diag(A)), -J.T @ r, "
        "assume_a='pos')",
    ],
    "nb10_min_damping": [
        "return -min(0.0, np.linalg.eigvalsh(H).min())",
        "lam = np.linalg.eigh(H)[0][0]\nreturn 0.0 if lam > 0 else -lam",
        "return np.maximum(0.0, -np.linalg.eigvalsh(H)).max()",
        "return np.clip(-np.linalg.eigvalsh(H)[:1], 0, None)",      # an array with one entry
        "smallest = np.inf\nfor value in np.linalg.eigvalsh(H):\n    smallest = min(smallest, value)\n"
        "return 0 if smallest >= 0 else -smallest",                 # a loop, an int 0
        "import scipy.linalg\nreturn max(0.0, -scipy.linalg.eigh(H, eigvals_only=True)[0])",
    ],
}
