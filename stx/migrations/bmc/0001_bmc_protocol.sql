-- The BMC protocol host maintenance learned for a host whose bm_type is
-- dynamic (StarlingX keeps it in the host's mtce_info as bmc_protocol),
-- for the BMC address it was learned at.
CREATE TABLE stx_bmc_protocol (
	host_uuid  TEXT PRIMARY KEY,
	address    TEXT NOT NULL,
	protocol   TEXT NOT NULL,
	learned_at TEXT NOT NULL
);
