<?php
/*
 * Install WordPress unless it is installed: WordPress's own installer, wp_install(), as
 * wp-admin/install.php runs it. On an installed site, WORDPRESS_TITLE (when set) becomes the
 * site's title again: the container's configuration says what the title is. Exit 0 when the
 * site is ready, 1 when the database does not answer yet (the entrypoint retries), 2 on
 * another error.
 */
$_SERVER['HTTP_HOST'] = 'localhost';
define('WP_INSTALLING', true);
mysqli_report(MYSQLI_REPORT_OFF);
$db = @mysqli_connect(
    getenv('WORDPRESS_DB_HOST') ?: 'mysql', getenv('WORDPRESS_DB_USER') ?: 'wordpress',
    getenv('WORDPRESS_DB_PASSWORD') ?: '', getenv('WORDPRESS_DB_NAME') ?: 'wordpress'
);
if (!$db) {
    fwrite(STDERR, 'waiting for the database: ' . mysqli_connect_error() . "\n");
    exit(1);
}
mysqli_close($db);

function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password) {
    // no mail server here: the installer's e-mail is not sent
}
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$title = getenv('WORDPRESS_TITLE');
if (is_blog_installed()) {
    if ($title !== false && $title !== '' && $title !== get_option('blogname')) {
        update_option('blogname', $title);
    }
    echo "WordPress is installed: " . get_option('blogname') . "\n";
    exit(0);
}
$result = wp_install(
    $title ?: 'My WordPress',
    getenv('WORDPRESS_ADMIN_USER') ?: 'admin',
    getenv('WORDPRESS_ADMIN_EMAIL') ?: 'admin@example.com',
    true,
    '',
    wp_slash(getenv('WORDPRESS_ADMIN_PASSWORD') ?: wp_generate_password(16))
);
echo "WordPress installed: " . get_option('blogname') . "\n";
exit(0);
