/** Bootstrap data sources and the Metal³ host status (README.md). */
package io.metalboot.bootstrap;
