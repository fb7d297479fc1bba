#!/usr/bin/python3
"""Reads a bulk add file from stdin as StarlingX's bulk_add does and prints
the host dictionaries it would check and create, as JSON.

HOST_XML_ATTRIBUTES and the loop are copied unchanged from starlingx/config
sysinv/sysinv/sysinv/sysinv/api/controllers/v1/host.py (commit b62963d41).
"""
import json
import sys
import xml.etree.ElementTree as ET

HOST_XML_ATTRIBUTES = ['hostname', 'personality', 'subfunctions', 'mgmt_mac',
                       'bm_ip', 'bm_type', 'bm_username',
                       'bm_password', 'boot_device', 'rootfs_device',
                       'hw_settle', 'install_output', 'console',
                       'vsc_controllers', 'power_on', 'location', 'apparmor',
                       'sw_version']

contents = sys.stdin.buffer.read()
root = ET.fromstring(contents)
pending_creation = []
for idx, xmlhost in enumerate(root.findall('host')):

    new_ihost = {}
    for attr in HOST_XML_ATTRIBUTES:
        elem = xmlhost.find(attr)
        if elem is not None:
            # If the element is found, set the attribute.
            # If the text field is empty, set it to the empty string.
            new_ihost[attr] = elem.text or ""
        else:
            # If the element is not found, set the attribute to None.
            new_ihost[attr] = None

    # This is the expected format of the location field
    if new_ihost['location'] is not None:
        new_ihost['location'] = {"locn": new_ihost['location']}
    pending_creation.append(new_ihost)

json.dump({'version': root.get('version'), 'hosts': pending_creation}, sys.stdout, sort_keys=True)
