"""One room over many rooms: each city's room publishes a signed summary of aggregates; a provincial or
national room pulls its members' summaries and compares them. Nothing personal ever leaves a city."""
