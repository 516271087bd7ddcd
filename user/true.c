/* true: exits 0 at once; the tiny static program the exec benchmarks run. */
int main(void)
{
	return 0;
}
