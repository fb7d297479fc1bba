-- Inventory tables (SQLite). Every record is a row with an integer id,
-- a uuid, the columns that identify it or link it to others (host_id,
-- natural keys, names: what uniqueness, foreign keys and lookups need),
-- and body, the record as JSON with the field names of the inventory
-- package's types. Relations (interface uses, networks, data networks)
-- are rows of their own, so "in use" is a foreign key, not a scan.
-- Every host sub-resource cascades from its host and is indexed by
-- host_id first. Columns that may be empty but must be unique (hostname,
-- mgmt_mac) hold NULL when empty.
CREATE TABLE inv_system (
    id   INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE inv_host (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    hostname    TEXT UNIQUE,
    mgmt_mac    TEXT UNIQUE,
    bm_password TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL
);
CREATE TABLE inv_host_config (
    host_id INTEGER PRIMARY KEY REFERENCES inv_host (id) ON DELETE CASCADE,
    uuid    TEXT NOT NULL,
    doc     TEXT NOT NULL
);
CREATE TABLE inv_node (
    id        INTEGER PRIMARY KEY,
    uuid      TEXT NOT NULL UNIQUE,
    host_id   INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    numa_node INTEGER NOT NULL,
    body      TEXT NOT NULL,
    UNIQUE (host_id, numa_node)
);
-- CPUs are the most numerous rows (64 per host and more): columns, not
-- a JSON body, so reading thousands costs no decoding. created_at is in
-- microseconds since the Unix epoch.
CREATE TABLE inv_cpu (
    id                 INTEGER PRIMARY KEY,
    uuid               TEXT NOT NULL UNIQUE,
    host_id            INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    cpu                INTEGER NOT NULL,
    numa_node          INTEGER NOT NULL,
    core               INTEGER NOT NULL,
    thread             INTEGER NOT NULL,
    cpu_family         TEXT NOT NULL,
    cpu_model          TEXT NOT NULL,
    allocated_function TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    UNIQUE (host_id, cpu)
);
CREATE TABLE inv_memory (
    id        INTEGER PRIMARY KEY,
    uuid      TEXT NOT NULL UNIQUE,
    host_id   INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    numa_node INTEGER NOT NULL,
    body      TEXT NOT NULL,
    UNIQUE (host_id, numa_node)
);
CREATE TABLE inv_disk (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    host_id     INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    device_path TEXT NOT NULL,
    body        TEXT NOT NULL,
    UNIQUE (host_id, device_path)
);
CREATE TABLE inv_partition (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    host_id     INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    disk_id     INTEGER NOT NULL REFERENCES inv_disk (id) ON DELETE CASCADE,
    device_path TEXT NOT NULL,
    start_mib   INTEGER NOT NULL,
    body        TEXT NOT NULL,
    UNIQUE (host_id, device_path)
);
CREATE INDEX inv_partition_disk ON inv_partition (disk_id, start_mib);
CREATE TABLE inv_lvg (
    id      INTEGER PRIMARY KEY,
    uuid    TEXT NOT NULL UNIQUE,
    host_id INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    vg_name TEXT NOT NULL,
    body    TEXT NOT NULL,
    UNIQUE (host_id, vg_name)
);
CREATE TABLE inv_pv (
    id        INTEGER PRIMARY KEY,
    uuid      TEXT NOT NULL UNIQUE,
    host_id   INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    lvg_id    INTEGER NOT NULL REFERENCES inv_lvg (id) ON DELETE CASCADE,
    dop_uuid  TEXT NOT NULL UNIQUE,
    body      TEXT NOT NULL
);
CREATE INDEX inv_pv_host ON inv_pv (host_id);
CREATE INDEX inv_pv_lvg ON inv_pv (lvg_id);
CREATE TABLE inv_stor (
    id       INTEGER PRIMARY KEY,
    uuid     TEXT NOT NULL UNIQUE,
    host_id  INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    disk_id  INTEGER NOT NULL UNIQUE REFERENCES inv_disk (id) ON DELETE CASCADE,
    function TEXT NOT NULL,
    osdid    INTEGER,
    body     TEXT NOT NULL
);
CREATE INDEX inv_stor_host ON inv_stor (host_id);
CREATE TABLE inv_port (
    id      INTEGER PRIMARY KEY,
    uuid    TEXT NOT NULL UNIQUE,
    host_id INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    body    TEXT NOT NULL,
    UNIQUE (host_id, name)
);
CREATE TABLE inv_interface (
    id      INTEGER PRIMARY KEY,
    uuid    TEXT NOT NULL UNIQUE,
    host_id INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    ifname  TEXT NOT NULL,
    port_id INTEGER UNIQUE REFERENCES inv_port (id) ON DELETE SET NULL,
    body    TEXT NOT NULL,
    UNIQUE (host_id, ifname)
);
CREATE TABLE inv_interface_uses (
    interface_id INTEGER NOT NULL REFERENCES inv_interface (id) ON DELETE CASCADE,
    lower_id     INTEGER NOT NULL REFERENCES inv_interface (id) ON DELETE CASCADE,
    host_id      INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    PRIMARY KEY (interface_id, lower_id)
);
CREATE INDEX inv_interface_uses_lower ON inv_interface_uses (lower_id);
CREATE INDEX inv_interface_uses_host ON inv_interface_uses (host_id);
CREATE TABLE inv_datanetwork (
    id   INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE inv_interface_datanetwork (
    interface_id   INTEGER NOT NULL REFERENCES inv_interface (id) ON DELETE CASCADE,
    datanetwork_id INTEGER NOT NULL REFERENCES inv_datanetwork (id),
    host_id        INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    PRIMARY KEY (interface_id, datanetwork_id)
);
CREATE INDEX inv_interface_datanetwork_dn ON inv_interface_datanetwork (datanetwork_id);
CREATE INDEX inv_interface_datanetwork_host ON inv_interface_datanetwork (host_id);
CREATE TABLE inv_address_pool (
    id   INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE inv_network (
    id      INTEGER PRIMARY KEY,
    uuid    TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL UNIQUE,
    pool_id INTEGER NOT NULL REFERENCES inv_address_pool (id),
    body    TEXT NOT NULL
);
CREATE INDEX inv_network_pool ON inv_network (pool_id);
CREATE TABLE inv_interface_network (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    interface_id INTEGER NOT NULL REFERENCES inv_interface (id) ON DELETE CASCADE,
    network_id   INTEGER NOT NULL REFERENCES inv_network (id),
    host_id      INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    UNIQUE (host_id, network_id)
);
CREATE INDEX inv_interface_network_if ON inv_interface_network (interface_id);
CREATE INDEX inv_interface_network_net ON inv_interface_network (network_id);
CREATE TABLE inv_address (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    host_id      INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    interface_id INTEGER REFERENCES inv_interface (id) ON DELETE CASCADE,
    pool_id      INTEGER REFERENCES inv_address_pool (id) ON DELETE CASCADE,
    address      TEXT NOT NULL,
    body         TEXT NOT NULL,
    UNIQUE (pool_id, address)
);
CREATE INDEX inv_address_host ON inv_address (host_id);
CREATE INDEX inv_address_if ON inv_address (interface_id);
CREATE TABLE inv_route (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    host_id      INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    interface_id INTEGER NOT NULL REFERENCES inv_interface (id) ON DELETE CASCADE,
    body         TEXT NOT NULL
);
CREATE INDEX inv_route_host ON inv_route (host_id);
CREATE TABLE inv_label (
    id        INTEGER PRIMARY KEY,
    uuid      TEXT NOT NULL UNIQUE,
    host_id   INTEGER NOT NULL REFERENCES inv_host (id) ON DELETE CASCADE,
    label_key TEXT NOT NULL,
    body      TEXT NOT NULL,
    UNIQUE (host_id, label_key)
);
CREATE TABLE inv_storage_backend (
    id   INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE inv_service_parameter (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    service     TEXT NOT NULL,
    section     TEXT NOT NULL,
    name        TEXT NOT NULL,
    personality TEXT NOT NULL,
    resource    TEXT NOT NULL,
    body        TEXT NOT NULL,
    UNIQUE (service, section, name, personality, resource)
);
