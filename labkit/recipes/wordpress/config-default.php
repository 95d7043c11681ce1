<?php
/*
 * WordPress's configuration, read by Debian's /usr/share/wordpress/wp-config.php for every
 * host name. The database comes from the environment (the official image's variables);
 * the site's address from the request, so it answers under any host name (an Ingress's,
 * a Service's), over HTTP or, behind a proxy that says so, HTTPS.
 */
function wordpress_env($name, $default) {
    $value = getenv($name);
    return ($value === false || $value === '') ? $default : $value;
}
define('DB_NAME', wordpress_env('WORDPRESS_DB_NAME', 'wordpress'));
define('DB_USER', wordpress_env('WORDPRESS_DB_USER', 'wordpress'));
define('DB_PASSWORD', wordpress_env('WORDPRESS_DB_PASSWORD', ''));
define('DB_HOST', wordpress_env('WORDPRESS_DB_HOST', 'mysql'));
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = wordpress_env('WORDPRESS_TABLE_PREFIX', 'wp_');

if (isset($_SERVER['HTTP_X_FORWARDED_PROTO'])
    && strpos($_SERVER['HTTP_X_FORWARDED_PROTO'], 'https') !== false) {
    $_SERVER['HTTPS'] = 'on';
}
$wordpress_host = $_SERVER['HTTP_HOST'] ?? 'localhost';
$wordpress_scheme = (($_SERVER['HTTPS'] ?? '') === 'on') ? 'https' : 'http';
define('WP_HOME', "$wordpress_scheme://$wordpress_host");
define('WP_SITEURL', "$wordpress_scheme://$wordpress_host");
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
define('AUTOMATIC_UPDATER_DISABLED', true);
define('DISALLOW_FILE_MODS', true);
