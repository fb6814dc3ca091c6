-- The scheduled fetch asks whether the day's continuation file was received (uploaded or
-- fetched) before fetching it again.
CREATE INDEX continuation_files_file_date_idx ON continuation_files (file_date);
