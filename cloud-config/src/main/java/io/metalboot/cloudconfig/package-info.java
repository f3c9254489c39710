/** cloud-config: parsed, rendered, compiled to sh (README.md). */
package io.metalboot.cloudconfig;
