"""'Mon histoire de santé': the timeline of care from the reimbursement data, by year, searchable,
where a medicine dispensed or a hospital stay can be added to the medical profile."""
