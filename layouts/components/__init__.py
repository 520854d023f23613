"""Visual components shared by the wall and the leaders' pages: KPI tiles, sparklines, freshness."""
