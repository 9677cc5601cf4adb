// The one translation unit that compiles Asio's and Beast's non-template
// code (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION,
// set for this library in CMakeLists.txt), so the other Beast TUs stay lighter.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
