"""land page (being built)."""

import streamlit as st

from ui.i18n import t

st.info(t("not_ready", what="land"))
