"""Real-browser tests: JupyterLab (and Voila) driven through Chromium."""
