"""Report products: one module per notebook, holding everything the notebook shows."""
