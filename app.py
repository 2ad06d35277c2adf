"""Songshan Lake Plan GIS — the Streamlit entry point (page config, sidebar, navigation). Thin."""

import streamlit as st

st.set_page_config(page_title="松山湖规划 GIS", page_icon="🗺️", layout="wide")
st.title("松山湖规划 GIS / Songshan Lake Plan GIS")
st.info("应用页面正在建设中 / The app's pages are being built (see the README).")
