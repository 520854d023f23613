"""Every component id in one place, so layouts and callbacks cannot drift apart."""

from __future__ import annotations

# ruff: noqa: S105 - component ids, not secrets

URL = "url"  # the app's dcc.Location

# wall
WALL_PARAMS = "wall-params"
WALL_TICK = "wall-tick"
WALL_KPIS = "wall-kpis"
WALL_CLOCK = "wall-clock"
WALL_CLOCK_TICK = "wall-clock-tick"  # the 1 s clientside clock
WALL_POSITION = "wall-position"  # the playlist's {"current", "next", "takeover"}, written by assets/wall.js
WALL_PLAYLIST = "wall-playlist"  # the playlist's slots and dwell times, read by assets/wall.js
WALL_HEARTBEAT = "wall-heartbeat"  # changes on every good refresh; wall.js shows "reconnecting" when it stops
WALL_HEALTH = "wall-health"  # the data-health strip
WALL_TITLE = "wall-title"
WALL_ERROR = "wall-error"
WALL_TAKEOVER = "wall-takeover"  # the danger alert that took over the playlist, or None
WALL_ROOT = "wall-root"  # read by assets/wall.js

# The kinds of the wall's per-slot components: layouts.wall_screens.slot_id(kind, slot) makes each id.
WALL_SLOT = "wall-slot"
WALL_SLOT_PARAMS = "wall-slot-params"
WALL_KPI_KEYS = "wall-kpi-keys"
WALL_KPI_SIG = "wall-kpi-sig"
WALL_RANK = "wall-rank"
WALL_MAP_STATE = "wall-map-state"
WALL_MAP_A = "wall-map-a"
WALL_MAP_B = "wall-map-b"
WALL_TICKER = "wall-ticker"
WALL_STREAM = "wall-stream"
WALL_DISTRICT_BARS = "wall-district-bars"
WALL_SENSOR_KINDS = "wall-sensor-kinds"
WALL_SENSOR_ATTENTION = "wall-sensor-attention"
WALL_SVC_COVERAGE = "wall-svc-coverage"
WALL_SVC_DIMENSIONS = "wall-svc-dimensions"
WALL_SVC_HEALTH = "wall-svc-health"
WALL_SVC_LAGGING = "wall-svc-lagging"
WALL_SVC_TREND = "wall-svc-trend"
WALL_CCTV_PULSE = "wall-cctv-pulse"
WALL_CCTV_JS = "wall-cctv-js"
WALL_CCTV_HEAD = "wall-cctv-head"
WALL_CCTV_GRID = "wall-cctv-grid"
WALL_TAKEOVER_TITLE = "wall-takeover-title"

# leader
LEADER_PARAMS = "leader-params"
LEADER_BODY = "leader-body"
LEADER_TICK = "leader-tick"
LEADER_SPARK = "leader-score-trend"
LEADER_SUMMARY = "leader-summary"

# analyst
ANALYST_PARAMS = "analyst-params"
ANALYST_LANG = "analyst-lang"  # the link to the page in the other language
ANALYST_BODY = "analyst-body"
ANALYST_URL = "analyst-url"  # the page's own Location: filters write its query string (history entries)
ANALYST_FILTER = "analyst-filter"  # the validated filter every chart and the grid read
ANALYST_RANGE = "analyst-range"  # preset: today, 7d, 30d, month, custom
ANALYST_DATES = "analyst-dates"
ANALYST_DISTRICT = "analyst-district"
ANALYST_SUBDISTRICT = "analyst-subdistrict"
ANALYST_CATEGORY = "analyst-category"
ANALYST_CHANNEL = "analyst-channel"
ANALYST_STATUS = "analyst-status"
ANALYST_AGENCY = "analyst-agency"
ANALYST_KIND = "analyst-kind"
ANALYST_BUCKET = "analyst-bucket"  # by day or by week
ANALYST_CHIPS = "analyst-chips"
ANALYST_RESET = "analyst-reset"
ANALYST_ERROR = "analyst-error"
ANALYST_GRID = "analyst-grid"
ANALYST_GRID_REFRESH = "analyst-grid-refresh"
ANALYST_COUNT = "analyst-count"
ANALYST_EXPORT_CSV = "analyst-export-csv"
ANALYST_EXPORT_XLSX = "analyst-export-xlsx"
ANALYST_DETAIL = "analyst-detail"
ANALYST_DETAIL_BODY = "analyst-detail-body"
ANALYST_CHARTS = (
    "map",
    "over_time",
    "by_category",
    "by_channel",
    "close_by_agency",
    "heatmap",
    "backlog_age",
    "sensor_vs_complaints",
)


# operator's console (/ops)
OPS_PARAMS = "ops-params"
OPS_TICK = "ops-tick"
OPS_CLOCK = "ops-clock"
OPS_OPERATOR = "ops-operator"
OPS_COUNTS = "ops-counts"
OPS_CHANGED = "ops-changed"
OPS_FEEDBACK = "ops-feedback"
OPS_F_SEVERITY = "ops-f-severity"
OPS_F_STATUS = "ops-f-status"
OPS_F_KIND = "ops-f-kind"
OPS_F_DISTRICT = "ops-f-district"
OPS_ALERT_GRID = "ops-alert-grid"
OPS_ALERT_MAP = "ops-alert-map"
OPS_ALERT_DETAIL = "ops-alert-detail"
OPS_NOTE = "ops-note"
OPS_ACK = "ops-ack"
OPS_RESOLVE = "ops-resolve"
OPS_INCIDENT_GRID = "ops-incident-grid"
OPS_INCIDENT_CARD = "ops-incident-card"
OPS_INCIDENT_NOTE = "ops-incident-note"
OPS_INCIDENT_AGENCY = "ops-incident-agency"
OPS_INCIDENT_ACK = "ops-incident-ack"
OPS_INCIDENT_RESOLVE = "ops-incident-resolve"
OPS_INCIDENT_ASSIGN = "ops-incident-assign"
OPS_SLA_GRID = "ops-sla-grid"
OPS_F_SLA_STATE = "ops-f-sla-state"
OPS_COMPLAINT_ID = "ops-complaint-id"
OPS_COMPLAINT_FILE = "ops-complaint-file"
OPS_COMPLAINT_AGENCY = "ops-complaint-agency"
OPS_COMPLAINT_NOTE = "ops-complaint-note"
OPS_COMPLAINT_ASSIGN = "ops-complaint-assign"


# administrator's page (/admin): every callback filling these needs the admin permission (callbacks/admin.py)
ADMIN_PARAMS = "admin-params"
ADMIN_VERSION = "admin-version"
ADMIN_NOTICE = "admin-notice"
ADMIN_MESSAGE = "admin-message"
ADMIN_USERS_GRID = "admin-users-grid"
ADMIN_TOKENS_GRID = "admin-tokens-grid"
ADMIN_LOG_GRID = "admin-log-grid"
ADMIN_NEW_USERNAME = "admin-new-username"
ADMIN_NEW_NAME = "admin-new-name"
ADMIN_NEW_ROLE = "admin-new-role"
ADMIN_NEW_PERSONAL = "admin-new-personal"
ADMIN_NEW_PASSWORD = "admin-new-password"
ADMIN_ADD_USER = "admin-add-user"
ADMIN_SET_PASSWORD = "admin-set-password"
ADMIN_SET_ROLE = "admin-set-role"
ADMIN_DISABLE = "admin-disable"
ADMIN_ENABLE = "admin-enable"
ADMIN_TOKEN_KIND = "admin-token-kind"
ADMIN_TOKEN_NAME = "admin-token-name"
ADMIN_TOKEN_SCOPES = "admin-token-scopes"
ADMIN_TOKEN_DAYS = "admin-token-days"
ADMIN_CREATE_TOKEN = "admin-create-token"
ADMIN_REVOKE = "admin-revoke"
ADMIN_TOKEN_SHOWN = "admin-token-shown"
ADMIN_ACCOUNT = "admin-account"  # who is signed in and the log-out button; empty in the open demo (nobody to log out)
ADMIN_PAGE = "admin-page"
ADMIN_LOGOUT = "admin-logout"
ADMIN_RESULT = "admin-result"  # the outcome of the last action
ADMIN_OPEN_DEMO = "admin-open-demo"  # the notice that nobody is active, so the open demo runs
ADMIN_NEW_TOKEN = "admin-new-token"  # a token just created, shown once
ADMIN_NEW_URL = "admin-new-url"  # how to use it


# leader's pages (/leader, /leader/district/<code>, /leader/agency/<slug>); tests read these
LEADER_TITLE = "leader-title"
LEADER_LANG = "leader-lang"
LEADER_NOT_FOUND = "leader-not-found"
LEADER_ALERTS = "leader-alerts"
LEADER_ALERT_LIST = "leader-alert-list"
LEADER_ACTIONS = "leader-actions"
LEADER_COMPARE = "leader-compare"
LEADER_SENSORS = "leader-sensors"
LEADER_LATE = "leader-late"
LEADER_TOP = "leader-top"
LEADER_BOTTOM = "leader-bottom"
LEADER_CATEGORIES = "leader-categories"
LEADER_AGENCY_DISTRICTS = "leader-agency-districts"
LEADER_RANK_DISTRICTS = "rank-d"  # each row's id adds the district's code
LEADER_RANK_AGENCIES = "rank-a"  # each row's id adds the agency's slug

# login page
LOGIN_PAGE = "login-page"
LOGIN_FORM = "login-form"
LOGIN_ERROR = "login-error"
LOGIN_OUT = "login-out"
LOGIN_NEXT = "login-next"
LOGIN_LANG = "login-lang"
LOGIN_SUBMIT = "login-submit"

ANALYST_DETAIL_MAP = "analyst-detail-map"
ANALYST_DETAIL_FIELDS = "analyst-detail-fields"
ANALYST_DETAIL_TIMELINE = "analyst-detail-timeline"
OPS_COMPLAINT_STATE = "ops-complaint-state"


def analyst_chart(name: str) -> str:
    """The id of one analyst chart's dcc.Graph, e.g. analyst-chart-heatmap."""
    return f"analyst-chart-{name}"


def analyst_chip(key: str, value: str) -> dict[str, str]:
    """A removable filter chip (pattern-matching id: which filter, which value)."""
    return {"type": "analyst-chip", "key": key, "value": value}


def signature_of(kind: str) -> str:
    """The kind of the store beside a live wall list holding the signature of what it last sent."""
    return f"{kind}-sig"


def folded_more(key: str) -> str:
    """The id of the 'show all N' part of a folded list."""
    return f"{key}-more"


def ranking_row(key: str, code: str) -> str:
    """The id of one row of a leader ranking, e.g. rank-d-36.71.01."""
    return f"{key}-{code}"


def login_field(name: str) -> str:
    """The id of a login form field, e.g. login-username."""
    return f"login-{name}"


def dimension_row(dimension: str) -> str:
    """The id of one dimension's row on the briefing."""
    return f"dim-{dimension}"


def ops_alert(alert_id: object) -> str:
    """The id of one alert's row on the operator's console."""
    return f"ops-alert-{alert_id}"


def ops_incident(incident_id: object) -> str:
    """The id of one incident's title on the operator's console."""
    return f"ops-incident-{incident_id}"


def ops_count(key: str) -> str:
    """The id of one count badge's number on the operator's console."""
    return f"ops-count-{key}"


def kpi_value(key: str) -> str:
    """The id of one KPI tile's value, e.g. kpi-value-open_backlog (tests read these)."""
    return f"kpi-value-{key}"


# federation room (a province or the ministry over many cities' rooms)
FED_PARAMS = "fed-params"
FED_TICK = "fed-tick"
FED_VIEWPORT = "fed-viewport"  # [innerWidth, innerHeight], so the map fits its members at any screen size
FED_MEASURE = "fed-measure"
FED_MAP = "fed-map"
FED_RANKINGS = "fed-rankings"
FED_CARDS = "fed-cards"
FED_COUNTS = "fed-counts"
FED_CLOCK = "fed-clock"  # the room's own time, kept by the browser
FED_STATE = "fed-state"  # the data version and stale members the wall last drew; figures redraw when it changes
FED_LEADER_PARAMS = "fedleader-params"
FED_LEADER_TICK = "fedleader-tick"
FED_CHOOSE = "fedleader-choose"
FED_HISTORY = "fedleader-history"
FED_TABLE = "fedleader-table"
