"""Drives a Redfish system with OpenStack's sushy (the library Ironic's
redfish driver uses) and prints what it saw, one JSON object per step.

usage: sushy_client.py URL USER PASSWORD SYSTEM_PATH
"""
import json
import sys

import sushy

url, user, password, path = sys.argv[1:5]
steps = []


def step(name, system, **extra):
    system.refresh()
    steps.append(dict(
        step=name,
        power=str(system.power_state.value if system.power_state else None),
        boot_target=str(system.boot.target.value if system.boot.target else None),
        boot_enabled=str(system.boot.enabled.value if system.boot.enabled else None),
        **extra))


root = sushy.Sushy(url + '/redfish/v1/',
                   auth=sushy.auth.SessionAuth(username=user, password=password))
system = root.get_system(path)
info = dict(manufacturer=system.manufacturer, bios=system.bios_version,
            serial=system.serial_number, uuid=system.uuid,
            allowed_resets=sorted(str(v.value) for v in system.get_allowed_reset_system_values()),
            allowed_boot=sorted(str(v.value) for v in system.get_allowed_system_boot_source_values()))
step('info', system, **info)
system.reset_system(sushy.ResetType.FORCE_OFF)
step('force-off', system)
system.set_system_boot_options(sushy.BootSource.PXE, enabled=sushy.BootSourceOverrideEnabled.ONCE)
step('boot-pxe-once', system)
system.reset_system(sushy.ResetType.ON)
step('on', system)
system.reset_system(sushy.ResetType.FORCE_RESTART)
step('force-restart', system)
try:
    system.reset_system('Explode')
    steps.append(dict(step='bad-reset', error=None))
except Exception as e:  # sushy refuses it before sending
    steps.append(dict(step='bad-reset', error=type(e).__name__))
try:
    root._conn.post(path + '/Actions/ComputerSystem.Reset', data={'ResetType': 'Explode'})
    steps.append(dict(step='bad-reset-sent', error=None))
except sushy.exceptions.HTTPError as e:
    steps.append(dict(step='bad-reset-sent', error=type(e).__name__, status=e.status_code, code=e.code))
system.reset_system(sushy.ResetType.GRACEFUL_SHUTDOWN)
step('graceful-shutdown', system)
manager = system.managers[0]
chassis = system.chassis[0]
steps.append(dict(step='links', manager=manager.path, chassis=chassis.path,
                  firmware=manager.firmware_version))
print(json.dumps(steps))
