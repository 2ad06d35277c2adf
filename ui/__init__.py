"""The Streamlit app's pages, shared widgets and zh/en strings. Everything that imports streamlit lives here."""
