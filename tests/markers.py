"""The markers of the test suite, given by folder, fixture or name, so that the test
files themselves need no decorator (`-p tests.markers` in pytest.ini):

- browser: the tests in tests/browser/ (Chromium, a live server, often a worker);
- worker: tests that run a real Celery worker, in a thread (the celery_worker fixture)
  or in a process of its own;
- subprocess: tests that start a process of their own: gunicorn, a Celery worker or
  beat, manage.py, pg_dump.

`python3 dev.py test --fast` leaves out all three (-m "not browser and not worker and
not subprocess"). A new test that starts a process belongs in SUBPROCESS below; a name
listed there that its module no longer has stops the run, so the lists cannot go stale.

The order of the tests: the modules with a marked test and the slowest others (LONG)
first, so that no long test is left to run alone at the end while the other processes
idle; then the rest in pytest-django's order. Each module's tests stay together and in
pytest-django's order (tests in a transaction rolled back, then those that commit, then
those without the database). A process may run any module after any other: a test that
commits puts back the roles after its flush (tests/flush.py).
"""

import pytest

ALL = "every test of the module"

# Module -> ALL, or the names of its tests (without parameters) that start processes.
SUBPROCESS = {
    "tests/test_settings.py": ALL,
    "tests/test_backup.py": ALL,
    "tests/test_dev_py.py": ALL,  # python -c, as the tests' processes start
    "tests/publications/test_minisign.py": ALL,  # the stock minisign
    "tests/test_stack.py": ALL,
    "tests/bench/test_pool.py": ALL,
    "tests/test_deploy_files.py": {"test_dev_py_stack_with_a_certificate_that_is_missing_stops_with_one_line"},
    "tests/test_replica.py": ALL,
    "tests/coalition/test_two_instances.py": ALL,  # instance B: gunicorn, manage.py migrate and its scripts
    "tests/test_logging.py": {
        "test_gunicorn_logs_a_bad_request_line_without_the_address_or_the_request",
        "test_gunicorn_and_django_log_no_path_with_odd_characters",
        "test_the_worker_logs_its_tasks_naming_no_one_and_no_error_message",
    },
    "tests/test_error_pages.py": {"test_a_kept_connection_killed_by_a_restart_is_replaced_before_it_fails_a_request"},
    "tests/test_security.py": {"test_check_deploy_finds_no_issue_under_production_settings"},
    "tests/bench/test_bench.py": {
        "test_bench_with_force_wipes_the_database_loads_measures_everything_and_prints_one_table",
        "test_without_wrk_the_bench_loads_pages_with_its_own_threads_and_counts_failures_apart",
        "test_python_m_bench_as_dev_py_runs_it_lists_its_options_and_says_why_it_cannot_run",
        "test_dev_py_bench_makes_the_publication_key_a_fresh_clone_lacks",
    },
    "tests/reports/test_reliability.py": {"test_a_broker_that_refuses_or_hangs_does_not_hang_or_break_the_web_request"},
    "tests/reports/test_lost_workers.py": {
        "test_a_report_whose_worker_is_killed_mid_report_is_made_once_within_a_minute",
    },
}
# Tests whose Celery worker is a process they start (the others use the fixtures below).
WORKER_PROCESSES = {
    "tests/test_logging.py": {"test_the_worker_logs_its_tasks_naming_no_one_and_no_error_message"},
    "tests/reports/test_lost_workers.py": {
        "test_a_report_whose_worker_is_killed_mid_report_is_made_once_within_a_minute",
    },
    "tests/bench/test_bench.py": {
        "test_bench_with_force_wipes_the_database_loads_measures_everything_and_prints_one_table",
    },
}
WORKER_FIXTURES = {"celery_worker", "_worker_session"}
# Modules of none of the markers that still take many seconds: first too.
LONG = {"tests/reports/test_disclosure_lp.py", "tests/reports/test_disclosure_audit.py",
        "tests/reports/test_collapse_reports.py", "tests/test_purge.py", "tests/intake/test_counts_property.py",
        "tests/test_forms_fuzz.py", "tests/test_login_throttling.py", "tests/shell/test_two_factor_throttling.py"}


def _listed(table: dict, module: str, item) -> bool:
    names = table.get(module, ())
    return names == ALL or item.originalname in names


def _check_names(modules: dict) -> None:
    """Every test named above exists in its module (of those collected)."""
    for table in (SUBPROCESS, WORKER_PROCESSES):
        for module, names in table.items():
            if module in modules and names != ALL:
                missing = sorted(name for name in names if not hasattr(modules[module], name))
                if missing:
                    raise pytest.UsageError(f"tests/markers.py names tests that {module} does not have: {missing}")


# Before pytest's own hook, which deselects by -m.
@pytest.hookimpl(tryfirst=True, specname="pytest_collection_modifyitems")
def pytest_collection_modifyitems_markers(config, items):
    modules = {}
    for item in items:
        module = item.path.relative_to(config.rootpath).as_posix()
        modules[module] = getattr(item, "module", None)
        if module.startswith("tests/browser/"):
            item.add_marker(pytest.mark.browser)
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & WORKER_FIXTURES or _listed(WORKER_PROCESSES, module, item):
            item.add_marker(pytest.mark.worker)
        if _listed(SUBPROCESS, module, item):
            item.add_marker(pytest.mark.subprocess)
    _check_names(modules)


# After pytest-django's own sort and the markers above.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    def module(item) -> str:
        return item.path.relative_to(config.rootpath).as_posix()

    # A test that commits without restoring the roles after its flush (which then remakes
    # the content types under new ids) breaks whichever test its process runs next.
    flushing = [item.nodeid for item in items if {"transactional_db", "live_server"} & set(item.fixturenames)
                and "django_db_serialized_rollback" not in item.fixturenames]
    if flushing:
        raise pytest.UsageError(f"Tests that commit must use the committed_db fixture: {flushing[:5]}")
    first = {module(item) for item in items if module(item) in LONG or any(
        item.get_closest_marker(name) for name in ("browser", "worker", "subprocess"))}
    # Each module where its first test was, its tests together and in their order.
    position: dict[str, int] = {}
    for index, item in enumerate(items):
        position.setdefault(module(item), index)
    items.sort(key=lambda item: (module(item) not in first, position[module(item)]))
