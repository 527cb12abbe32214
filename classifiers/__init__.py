"""Topic and tone classifiers: scikit-learn pipelines over segmented Vietnamese text."""
