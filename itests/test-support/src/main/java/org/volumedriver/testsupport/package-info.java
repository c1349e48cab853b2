/**
 * Fixtures for the tests of several modules, used at test scope only: the configuration files the
 * product ships, read as Karaf reads them, and an executor running the shipped allowlist.
 */
package org.volumedriver.testsupport;
