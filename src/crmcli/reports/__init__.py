"""Reports: funnel, forecast, commission, lost deals, activity — SQL aggregates to dataclasses."""
